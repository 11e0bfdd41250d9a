/**
 * Read the JSON-lines logs back (for `hearthnet log`): filter by level, time and logger, and
 * optionally follow new lines (polling, across daily rotation) until the AbortSignal fires.
 */
import { open, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { logFileDate } from './log-file-sink';
import { levelRank, type LogLevel, type LogRecord } from './log-record';

export const READ_LOGS_POLL_MS = 500;
const CHUNK_BYTES = 64 * 1024;

export interface ReadLogsOptions {
  readonly dir: string;
  /** Minimum level shown. */
  readonly level?: LogLevel;
  /** Only records at or after this instant. */
  readonly since?: Date;
  /** Only loggers named this or `<this>.*`. */
  readonly component?: string;
  /** Keep waiting for new lines until `signal` aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

async function logFiles(dir: string, sinceDate: string | null): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => {
      const d = logFileDate(n);
      return d !== null && (sinceDate === null || d >= sinceDate);
    })
    .sort();
}

/** Reads complete lines appended to one file since the last call. */
class Tail {
  offset = 0;
  private rest = '';
  constructor(readonly path: string) {}

  async readLines(): Promise<string[]> {
    const fh = await open(this.path, 'r').catch(() => null);
    if (!fh) return [];
    try {
      const lines: string[] = [];
      const buf = Buffer.alloc(CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const parts = (this.rest + buf.toString('utf8', 0, bytesRead)).split('\n');
        this.rest = parts.pop() ?? ''; // an incomplete last line waits for its newline
        lines.push(...parts);
      }
      return lines;
    } finally {
      await fh.close();
    }
  }
}

const LEVELS: Readonly<Record<string, true>> = { debug: true, info: true, warn: true, error: true };

/** A line of a log file as a record, or null when it is not one (the file is the user's to edit). */
function parseRecord(line: string): LogRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  const ok =
    typeof r.level === 'string' &&
    Object.hasOwn(LEVELS, r.level) &&
    typeof r.ts === 'string' &&
    typeof r.logger === 'string' &&
    typeof r.msg === 'string';
  return ok ? (r as LogRecord) : null;
}

/** Async iterator of matching records, oldest first. Malformed lines are skipped. */
export async function* readLogs(opts: ReadLogsOptions): AsyncGenerator<LogRecord> {
  const minRank = opts.level ? levelRank(opts.level) : 0;
  const sinceMs = opts.since?.getTime() ?? null;
  const sinceDate = opts.since ? opts.since.toISOString().slice(0, 10) : null;
  const matches = (r: LogRecord) =>
    levelRank(r.level) >= minRank &&
    (sinceMs === null || Date.parse(r.ts) >= sinceMs) &&
    (!opts.component || r.logger === opts.component || r.logger.startsWith(opts.component + '.'));
  const tails = new Map<string, Tail>();
  const aborted = () => opts.signal?.aborted === true;

  for (;;) {
    for (const name of await logFiles(opts.dir, sinceDate)) {
      if (aborted()) return;
      let tail = tails.get(name);
      if (!tail) tails.set(name, (tail = new Tail(join(opts.dir, name))));
      for (const line of await tail.readLines()) {
        const rec = parseRecord(line); // null for a torn or hand-edited line; the rest of the log is still useful
        if (rec && matches(rec)) yield rec;
      }
    }
    if (!opts.follow || aborted()) return;
    try {
      await sleep(opts.pollMs ?? READ_LOGS_POLL_MS, undefined, { signal: opts.signal });
    } catch {
      return; // aborted while waiting
    }
  }
}
