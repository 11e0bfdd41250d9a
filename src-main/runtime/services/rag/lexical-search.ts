/** BM25 candidates from FTS5: rank inside the FTS table first, join only the top rows (exact, see lexicalCandidates). */
import type Database from 'better-sqlite3';
import { filteredPrefix, passingIds } from './filter-check';
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
  const top = db.prepare(FTS_TOP).pluck().all(fts, limit) as number[];
  const fast = filteredPrefix(top, limit, passingIds(db, top, where), want);
  if (fast) return fast;
  return db
    .prepare(
      `SELECT c.id FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.doc_cid = c.doc_cid
    WHERE chunks_fts MATCH ? AND d.state = 'complete'${where.sql} ORDER BY bm25(chunks_fts), c.id LIMIT ?`,
    )
    .pluck()
    .all(fts, ...where.params, want) as number[];
}
