/** The prepared statements of the event log: every SQL the log runs, compiled once at open. */
import type Database from 'better-sqlite3';
import type { Event } from './types';

/** Rows are read back as the canonical signed JSON stored at insert: no re-encoding on the way out. */
export interface StoredRow {
  readonly signed_json: string;
}

/** Filters of `EventLog.replay`. Lamport bounds are exclusive below, inclusive above. */
export interface ReplayOptions {
  /** Only events with lamport > sinceLamport (default 0: everything). */
  readonly sinceLamport?: number;
  /** Only events with lamport <= untilLamport. */
  readonly untilLamport?: number;
  readonly eventTypes?: readonly string[] | null;
  /** Full node id of the author. */
  readonly author?: string | null;
  readonly limit?: number | null;
  /**
   * Also include events inserted locally after this insertion sequence, whatever their Lamport
   * value (used by snapshot restore to catch events that arrived late from a partition).
   */
  readonly insertedAfterSeq?: number | null;
}

const REPLAY_PAGE = 1000;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export class LogStatements {
  readonly insert: Database.Statement<[string, number, string, string, string, string]>;
  readonly exists: Database.Statement<[string], { x: number }>;
  readonly get: Database.Statement<[string], StoredRow>;
  readonly getMany: Database.Statement<[string], StoredRow>;
  readonly head: Database.Statement<[], { h: number | null }>;
  readonly seqHead: Database.Statement<[], { s: number | null }>;
  readonly headsByType: Database.Statement<[], { event_type: string; h: number }>;
  readonly authorIds: Database.Statement<[string], { event_id: string; lamport: number }>;
  private readonly replayPage: Database.Statement<Record<string, unknown>, StoredRow>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO events (event_id, lamport, author, event_type, wall_clock, signed_json) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.exists = db.prepare('SELECT 1 AS x FROM events WHERE event_id = ?');
    this.get = db.prepare('SELECT signed_json FROM events WHERE event_id = ?');
    this.getMany = db.prepare(
      'SELECT signed_json FROM events WHERE event_id IN (SELECT value FROM json_each(?)) ORDER BY lamport, event_id',
    );
    this.head = db.prepare('SELECT MAX(lamport) AS h FROM events');
    this.seqHead = db.prepare('SELECT MAX(seq) AS s FROM events');
    this.headsByType = db.prepare('SELECT event_type, MAX(lamport) AS h FROM events GROUP BY event_type');
    this.authorIds = db.prepare('SELECT event_id, lamport FROM events WHERE author = ? ORDER BY lamport, event_id');
    this.replayPage = db.prepare(
      `SELECT signed_json FROM events
       WHERE (lamport > @since OR seq > @afterSeq) AND lamport <= @until
         AND (@types IS NULL OR event_type IN (SELECT value FROM json_each(@types)))
         AND (@author IS NULL OR author = @author)
         AND (lamport > @cl OR (lamport = @cl AND event_id > @ce))
       ORDER BY lamport, event_id LIMIT @page`,
    );
  }

  /**
   * Pages through the log in (lamport, event_id) order with a keyset cursor, so no SQLite cursor
   * stays open between yields (a consumer may write to the log while iterating).
   */
  *replay(opts: ReplayOptions): Generator<Event> {
    let remaining = opts.limit ?? NO_LIMIT;
    const params = {
      since: opts.sinceLamport ?? 0,
      until: opts.untilLamport ?? NO_LIMIT,
      afterSeq: opts.insertedAfterSeq ?? NO_LIMIT,
      types: opts.eventTypes ? JSON.stringify(opts.eventTypes) : null,
      author: opts.author ?? null,
      cl: -1,
      ce: '',
      page: 0,
    };
    while (remaining > 0) {
      params.page = Math.min(REPLAY_PAGE, remaining);
      const rows = this.replayPage.all(params);
      for (const row of rows) {
        const e = JSON.parse(row.signed_json) as Event;
        params.cl = e.lamport;
        params.ce = e.event_id;
        yield e;
      }
      remaining -= rows.length;
      if (rows.length < params.page) return;
    }
  }
}
