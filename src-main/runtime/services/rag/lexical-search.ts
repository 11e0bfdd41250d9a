/** BM25 candidates from FTS5: rank inside the FTS table first, join only the top rows (exact, see lexicalCandidates). */
import type Database from 'better-sqlite3';
import type { FilterSql } from './query-filter';

/** Extra rows fetched beyond the wanted count so a few unfinished/filtered-out rows don't force the slow path. */
export const LEXICAL_SLACK = 14;
/** With a metadata filter, fetch this many times the wanted count before falling back to the full join. */
export const LEXICAL_FILTER_OVERFETCH = 4;

const FTS_TOP = 'SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts), rowid LIMIT ?';

/**
 * The first `want` chunk ids of complete documents matching `fts` and `where`, ordered by
 * (bm25, id). Fast path: rank in FTS5 alone (no per-match joins), then check document state and
 * filters for those few ids only. That prefix equals the prefix of the fully joined ranking
 * whenever it yields `want` survivors or FTS5 ran out of matches; otherwise the full join runs.
 */
export function lexicalCandidates(db: Database.Database, fts: string, where: FilterSql, want: number): number[] {
  const limit = want * (where.sql ? LEXICAL_FILTER_OVERFETCH : 1) + LEXICAL_SLACK;
  const top = (db.prepare(FTS_TOP).all(fts, limit) as { id: number }[]).map((r) => r.id);
  if (top.length === 0) return [];
  const ok = new Set((db.prepare(`SELECT c.id FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid
    WHERE c.id IN (SELECT value FROM json_each(?)) AND d.state = 'complete'${where.sql}`).all(JSON.stringify(top), ...where.params) as { id: number }[]).map((r) => r.id));
  const kept = top.filter((id) => ok.has(id));
  if (kept.length >= want || top.length < limit) return kept.slice(0, want);
  return (db.prepare(`SELECT c.id FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.doc_cid = c.doc_cid
    WHERE chunks_fts MATCH ? AND d.state = 'complete'${where.sql} ORDER BY bm25(chunks_fts), c.id LIMIT ?`).all(fts, ...where.params, want) as { id: number }[]).map((r) => r.id);
}
