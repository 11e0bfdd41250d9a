/**
 * File sink: `<log_dir>/hearthnet-YYYY-MM-DD.jsonl` (UTC date), a new file when the date changes,
 * files older than LOG_RETENTION_DAYS deleted at startup and at each rotation.
 */
import { closeSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_RETENTION_DAYS } from '../../common';
import type { LogSink } from './logger';
import type { LogRecord } from './log-record';

export const LOG_FILE_PREFIX = 'hearthnet-';
export const LOG_FILE_SUFFIX = '.jsonl';
const LOG_FILE_RE = /^hearthnet-(\d{4}-\d{2}-\d{2})\.jsonl$/;
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an epoch-ms instant, in UTC. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The log file name for a date: `hearthnet-2026-05-26.jsonl`. */
export function logFileName(date: string): string {
  return `${LOG_FILE_PREFIX}${date}${LOG_FILE_SUFFIX}`;
}

/** The date of a log file name, or null if it is not one of ours. */
export function logFileDate(name: string): string | null {
  return LOG_FILE_RE.exec(name)?.[1] ?? null;
}

/** Our log files in `dir`, oldest first. */
export function listLogFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => logFileDate(n) !== null).sort();
}

export interface FileSinkOptions {
  readonly dir: string;
  /** Epoch ms; decides the file date. */
  readonly clock?: () => number;
  readonly retentionDays?: number;
}

/** Appends JSON lines to today's file; rotates on date change. Lifecycle: create, write..., close. */
export class FileSink implements LogSink {
  readonly dir: string;
  private readonly clock: () => number;
  private readonly retentionDays: number;
  private fd: number | null = null;
  private date: string | null = null;

  constructor(opts: FileSinkOptions) {
    this.dir = opts.dir;
    this.clock = opts.clock ?? Date.now;
    this.retentionDays = opts.retentionDays ?? LOG_RETENTION_DAYS;
    mkdirSync(this.dir, { recursive: true });
    this.prune();
  }

  /** Path of the file currently written (or that would be, today). */
  currentFile(): string {
    return join(this.dir, logFileName(this.date ?? utcDate(this.clock())));
  }

  write(_record: LogRecord, line: string): void {
    const today = utcDate(this.clock());
    const fd = today !== this.date || this.fd === null ? this.rotate(today) : this.fd;
    // Synchronous append: a line is on disk before the call returns, so a crash loses nothing logged.
    writeSync(fd, line + '\n');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.date = null;
  }

  /** Delete log files whose date is more than `retentionDays` before today. Returns the names deleted. */
  prune(): string[] {
    const cutoff = utcDate(this.clock() - this.retentionDays * DAY_MS);
    const deleted: string[] = [];
    for (const name of listLogFiles(this.dir)) {
      const date = logFileDate(name); // listLogFiles lists only names that have one
      if (date !== null && date < cutoff) {
        try {
          unlinkSync(join(this.dir, name));
          deleted.push(name);
        } catch {
          // Another process may have removed it already; retention retries at the next rotation.
        }
      }
    }
    return deleted;
  }

  /** Opens today's file (closing the previous one); returns its descriptor. */
  private rotate(today: string): number {
    const changed = this.date !== null && this.date !== today;
    this.close();
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(join(this.dir, logFileName(today)), 'a', 0o600);
    this.fd = fd;
    this.date = today;
    if (changed) this.prune();
    return fd;
  }
}
