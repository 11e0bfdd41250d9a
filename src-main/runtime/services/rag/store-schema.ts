/** SQLite schema of a corpus file, versioned through PRAGMA user_version. */
import type Database from 'better-sqlite3';

export const CORPUS_SCHEMA_VERSION = 1;

const V1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  doc_cid TEXT PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '',
  language TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  ingested_at TEXT NOT NULL,
  chunk_count INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('ingesting', 'complete'))
);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  doc_cid TEXT NOT NULL REFERENCES documents(doc_cid) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  text TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  embedding BLOB,
  UNIQUE (doc_cid, idx)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, content='chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_au AFTER UPDATE OF text ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
`;

/** Applies pending migrations inside one transaction. */
export function migrate(db: Database.Database): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v >= CORPUS_SCHEMA_VERSION) return;
  db.transaction(() => {
    if (v < 1) db.exec(V1);
    db.pragma(`user_version = ${CORPUS_SCHEMA_VERSION}`);
  })();
}
