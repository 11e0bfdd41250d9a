/** X02 §3.2: the Lamport clock of one community, persisted in the log's database. */
import type Database from 'better-sqlite3';
import type { Lamport } from '../../common';

/**
 * Persisted Lamport clock. Every change is written at once; callers run `tickForSend` and
 * `observe` inside the transaction that inserts the event, so the clock and the log never disagree.
 */
export class LamportClock {
  private value: Lamport;
  private readonly save: Database.Statement<[string, number]>;

  constructor(db: Database.Database, readonly communityId: string) {
    const row = db.prepare('SELECT value FROM lamport_clock WHERE community_id = ?').get(communityId) as { value: number } | undefined;
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
    this.save.run(this.communityId, this.value);
    return this.value;
  }

  /** Merge a received event's Lamport value: `max(current, received) + 1`, persisted. */
  observe(received: Lamport): void {
    this.value = Math.max(this.value, received) + 1;
    this.save.run(this.communityId, this.value);
  }

  /** Re-read after a rolled-back transaction so memory matches the database again. */
  reload(db: Database.Database): void {
    const row = db.prepare('SELECT value FROM lamport_clock WHERE community_id = ?').get(this.communityId) as { value: number } | undefined;
    this.value = row?.value ?? 0;
  }
}
