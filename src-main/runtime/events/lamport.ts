/** X02 §3.2 of ../shared/spec/hearthnet-reference.md: the Lamport clock of one community, persisted in the log's database. */
import type Database from 'better-sqlite3';
import type { Lamport } from '../../common';

/**
 * Persisted Lamport clock. Callers run `tickForSend` and `observe` inside the transaction that
 * inserts the event, so the clock and the log never disagree. With `writeThrough: false` (the
 * log's batch path) changes are written by `persist()` before that transaction commits.
 */
export class LamportClock {
  private value: Lamport;
  private readonly save: Database.Statement<[string, number]>;

  private dirty = false;

  constructor(
    db: Database.Database,
    readonly communityId: string,
    private readonly opts: { writeThrough?: boolean } = {},
  ) {
    const row = db.prepare('SELECT value FROM lamport_clock WHERE community_id = ?').get(communityId) as
      { value: number } | undefined;
    this.value = row?.value ?? 0;
    this.save = db.prepare(
      'INSERT INTO lamport_clock (community_id, value) VALUES (?, ?) ON CONFLICT (community_id) DO UPDATE SET value = excluded.value',
    );
  }

  /** The last value issued or observed (0 for a new community). */
  get current(): Lamport {
    return this.value;
  }

  /** Increment, persist, and return the Lamport value for a new local event. */
  tickForSend(): Lamport {
    this.value += 1;
    this.changed();
    return this.value;
  }

  /** Merge a received event's Lamport value: `max(current, received) + 1`, persisted. */
  observe(received: Lamport): void {
    this.value = Math.max(this.value, received) + 1;
    this.changed();
  }

  /** Write a deferred change (no-op when nothing changed). */
  persist(): void {
    if (!this.dirty) return;
    this.save.run(this.communityId, this.value);
    this.dirty = false;
  }

  private changed(): void {
    this.dirty = true;
    if (this.opts.writeThrough !== false) this.persist();
  }

  /** Re-read after a rolled-back transaction so memory matches the database again. */
  reload(db: Database.Database): void {
    const row = db.prepare('SELECT value FROM lamport_clock WHERE community_id = ?').get(this.communityId) as
      { value: number } | undefined;
    this.value = row?.value ?? 0;
    this.dirty = false;
  }
}
