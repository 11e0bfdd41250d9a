/** SQLite schema of the event log, applied as numbered migrations recorded in `schema_migrations`. */
import type Database from 'better-sqlite3';
import { EventLogError } from './errors';

/**
 * Each entry runs once, in order, inside one transaction with its `schema_migrations` row.
 * `events.seq` is the local insertion order (rowid): snapshots use it to find events that arrived
 * late with a Lamport value below the snapshot's cover.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE lamport_clock (community_id TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     lamport INTEGER NOT NULL,
     author TEXT NOT NULL,
     event_type TEXT NOT NULL,
     wall_clock TEXT NOT NULL,
     signed_json TEXT NOT NULL
   );
   CREATE INDEX events_order ON events (lamport, event_id);
   CREATE INDEX events_type ON events (event_type, lamport);
   CREATE INDEX events_author ON events (author, lamport);
   CREATE TABLE author_summary (
     author TEXT PRIMARY KEY,
     count INTEGER NOT NULL,
     max_lamport INTEGER NOT NULL,
     digest TEXT NOT NULL
   );`,
];

/** The schema version this code writes. */
export const EVENT_LOG_SCHEMA_VERSION = MIGRATIONS.length;

/** Bring the database up to the current schema; refuse a newer one written by a later release. */
export function migrate(db: Database.Database, communityId: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new EventLogError(
      'schema_too_new',
      `the event log was written by a newer HearthNet (schema ${current}, this one knows ${MIGRATIONS.length}); update the app`,
      {
        details: { schema: current },
      },
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (let v = current + 1; v <= MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v - 1]);
      record.run(v, new Date().toISOString());
    })();
  }
  const stored = db.prepare("SELECT value FROM meta WHERE key = 'community_id'").get() as { value: string } | undefined;
  if (!stored) db.prepare("INSERT INTO meta (key, value) VALUES ('community_id', ?)").run(communityId);
  else if (stored.value !== communityId) {
    throw new EventLogError(
      'db_corrupt',
      `this event log belongs to community ${stored.value}, not ${communityId}; use a separate database per community`,
      {
        details: { stored: stored.value, requested: communityId },
      },
    );
  }
}
