/** The persistent outbox: our sent messages not yet acknowledged by their recipient (one JSON file, atomic writes). */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NodeId } from '../../../common';
import { isFullNodeId } from '../../identity';
import { ChatError } from './errors';

const OUTBOX_VERSION = 1;

/** One unacknowledged message. Times in ms since the epoch. */
/** An entry as an older outbox file may hold it (the counters came later), or null. */
type StoredEntry = Omit<OutboxEntry, 'attempts' | 'pushed_at' | 'forwarded_to'> &
  Partial<Pick<OutboxEntry, 'attempts' | 'pushed_at' | 'forwarded_to'>>;

export interface OutboxEntry {
  readonly msg_id: string;
  readonly event_id: string;
  readonly recipient: NodeId;
  readonly queued_at: number;
  /** Failed delivery attempts so far (drives the backoff). */
  attempts: number;
  /** When the recipient's node accepted a direct push; it then only owes us a receipt. */
  pushed_at: number | null;
  /** Neighbours that accepted a forwarded copy. */
  forwarded_to: NodeId[];
}

/**
 * Entries by msg_id, mirrored to `path` after every change: written to `path.tmp`, fsynced, then
 * renamed over `path`, so a crash leaves either the old or the new file, never a torn one.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();

  private constructor(readonly path: string) {}

  /** Open (or create empty) the outbox at `path`. A corrupt file is an error, never silently emptied. */
  static open(path: string): Outbox {
    const box = new Outbox(path);
    if (!existsSync(path)) return box;
    let parsed: { version?: unknown; entries?: unknown };
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
    } catch (err) {
      throw new ChatError(
        'outbox_io',
        `the chat outbox at ${path} cannot be read (${(err as Error).message}); move it aside to start a new one`,
        { cause: err, details: { path } },
      );
    }
    if (parsed.version !== OUTBOX_VERSION || !Array.isArray(parsed.entries)) {
      throw new ChatError(
        'outbox_io',
        `the chat outbox at ${path} has an unknown format; move it aside to start a new one`,
        { details: { path } },
      );
    }
    for (const e of parsed.entries as Array<StoredEntry | null>) {
      // Read back from disk: the node ids are checked here, once.
      if (typeof e?.msg_id === 'string' && typeof e.event_id === 'string' && isFullNodeId(e.recipient)) {
        box.entries.set(e.msg_id, {
          ...e,
          attempts: e.attempts ?? 0,
          pushed_at: e.pushed_at ?? null,
          forwarded_to: (e.forwarded_to ?? []).filter((id) => isFullNodeId(id)),
        });
      }
    }
    return box;
  }

  get size(): number {
    return this.entries.size;
  }

  get(msgId: string): OutboxEntry | undefined {
    return this.entries.get(msgId);
  }

  all(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  /** Add (no-op if present) and persist. */
  add(entry: OutboxEntry): OutboxEntry {
    const existing = this.entries.get(entry.msg_id);
    if (existing) return existing;
    this.entries.set(entry.msg_id, entry);
    this.save();
    return entry;
  }

  /** Persist after mutating an entry returned by get/all. */
  touch(): void {
    this.save();
  }

  /** Remove and persist; true when it was present. */
  remove(msgId: string): boolean {
    if (!this.entries.delete(msgId)) return false;
    this.save();
    return true;
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ version: OUTBOX_VERSION, entries: this.all() }, null, 1) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
    } catch (err) {
      throw new ChatError(
        'outbox_io',
        `the chat outbox at ${this.path} could not be written: ${(err as Error).message}`,
        { cause: err, details: { path: this.path } },
      );
    }
  }
}
