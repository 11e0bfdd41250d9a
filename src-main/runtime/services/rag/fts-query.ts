/** Turns arbitrary user text into a safe FTS5 MATCH expression (quoted terms OR-ed; never throws). */

/** Words too common to help BM25; dropped unless the query has nothing else. */
const STOPWORDS = new Set(
  'a an and are as at be by can do does for from how i if in is it my of on or our the to was we what when where which who why will with you your'.split(
    ' ',
  ),
);
/** Bounds query cost: FTS5 work grows with the number of OR-ed terms. */
export const FTS_MAX_TERMS = 32;

/**
 * Extracts letter/digit runs, lower-cases them, drops stop words (unless that leaves nothing),
 * de-duplicates, and joins them as `"term1" OR "term2"`. Quoting makes every FTS5 operator
 * (AND, NEAR, *, ^, :, -, parentheses) literal. Returns null when the text has no searchable term.
 */
export function toFtsQuery(text: string): string | null {
  const terms = [
    ...new Set(
      text
        .normalize('NFKC')
        .toLowerCase()
        .match(/[\p{L}\p{N}]+/gu) ?? [],
    ),
  ];
  const useful = terms.filter((t) => !STOPWORDS.has(t));
  const chosen = (useful.length ? useful : terms).slice(0, FTS_MAX_TERMS);
  return chosen.length ? chosen.map((t) => `"${t}"`).join(' OR ') : null;
}
