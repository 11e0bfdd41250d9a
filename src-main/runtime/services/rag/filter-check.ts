/** Which of a few chunk ids belong to complete documents and pass a metadata filter (one indexed lookup per id). */
import type Database from 'better-sqlite3';
import type { FilterSql } from './query-filter';

/**
 * The subset of `ids` whose chunk is in a complete document and matches `where`. Costs one
 * primary-key lookup per id, instead of evaluating the filter over the whole corpus.
 */
export function passingIds(db: Database.Database, ids: readonly number[], where: FilterSql): Set<number> {
  if (ids.length === 0) return new Set();
  return new Set(
    db
      .prepare(
        `SELECT c.id FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid
    WHERE c.id IN (SELECT value FROM json_each(?)) AND d.state = 'complete'${where.sql}`,
      )
      .pluck()
      .all(JSON.stringify(ids), ...where.params) as number[],
  );
}

/**
 * Exact filtered prefix from an unfiltered ranking: `ranked` is the best `fetched` of the whole
 * corpus in order; keeping those that pass gives the first `want` of the filtered ranking when at
 * least `want` pass, or when `ranked` was the whole list (shorter than `fetched`). Otherwise null:
 * the caller must rank the filtered set itself.
 */
export function filteredPrefix(
  ranked: readonly number[],
  fetched: number,
  pass: ReadonlySet<number>,
  want: number,
): number[] | null {
  const kept = ranked.filter((id) => pass.has(id));
  return kept.length >= want || ranked.length < fetched ? kept.slice(0, want) : null;
}
