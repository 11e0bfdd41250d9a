/** Vector candidates for a query, with metadata filters checked on the best rows first (exact, see vectorCandidates). */
import type Database from 'better-sqlite3';
import { filteredPrefix, passingIds } from './filter-check';
import type { FilterSql } from './query-filter';
import type { VectorHit } from './top-k';
import type { VectorIndex } from './vector-index';

/** With a filter, rank this many times the wanted count unfiltered before building the full allow-list. */
export const VECTOR_FILTER_OVERFETCH = 4;

/**
 * The best `want` rows by cosine among chunks passing `where` (the index holds complete documents
 * only). With a filter: rank `want * VECTOR_FILTER_OVERFETCH` unfiltered and check just those ids
 * (a permissive filter costs a few lookups); only when too few pass is the filter evaluated over
 * the whole corpus to restrict the scan.
 */
export function vectorCandidates(
  db: Database.Database,
  index: VectorIndex,
  query: Float32Array,
  where: FilterSql,
  want: number,
): VectorHit[] {
  if (!where.sql) return index.search(query, want);
  const fetched = want * VECTOR_FILTER_OVERFETCH;
  const wide = index.search(query, fetched);
  const byId = new Map(wide.map((h) => [h.id, h]));
  const fast = filteredPrefix(
    wide.map((h) => h.id),
    fetched,
    passingIds(db, [...byId.keys()], where),
    want,
  );
  if (fast) return fast.flatMap((id) => byId.get(id) ?? []); // every id came from `wide`
  const allow = new Set(
    db
      .prepare(
        `SELECT c.id FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE d.state = 'complete'${where.sql}`,
      )
      .pluck()
      .all(...where.params) as number[],
  );
  return index.search(query, want, allow);
}
