/** Metadata equality filters -> a parameterised SQL WHERE fragment over chunks c JOIN documents d. */
import { RagError } from './errors';

export type FilterValue = string | number | boolean | null;
export type QueryFilter = Readonly<Record<string, FilterValue>>;

/** A WHERE fragment (`' AND ...'` or '') and its positional parameters. */
export interface FilterSql {
  sql: string;
  params: unknown[];
}

const DOC_COLUMNS = new Set(['doc_cid', 'title', 'language']);
const KEY = /^[A-Za-z0-9_]{1,64}$/;
const MAX_KEYS = 16;

/**
 * `doc_cid`, `title`, `language` match the document row; any other key matches the chunk's
 * metadata JSON, falling back to the document's metadata. Booleans compare as 1/0 (SQLite JSON),
 * null means "absent or null".
 */
export function filterSql(filter: unknown): FilterSql {
  if (filter === undefined) return { sql: '', params: [] };
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw new RagError('bad_request', 'filter must be an object of key: value pairs.');
  const entries: [string, unknown][] = Object.entries(filter);
  if (entries.length > MAX_KEYS) throw new RagError('bad_request', `filter may have at most ${MAX_KEYS} keys.`);
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [key, raw] of entries) {
    if (!KEY.test(key))
      throw new RagError('bad_request', `filter key "${key}" is not allowed: use letters, digits and "_".`);
    if (raw !== null && !['string', 'number', 'boolean'].includes(typeof raw))
      throw new RagError('bad_request', `filter value for "${key}" must be a string, number, boolean or null.`);
    const value = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
    const expr = DOC_COLUMNS.has(key)
      ? `d.${key}`
      : `COALESCE(json_extract(c.metadata, ?), json_extract(d.metadata, ?))`;
    if (!DOC_COLUMNS.has(key)) params.push(`$."${key}"`, `$."${key}"`);
    if (value === null) parts.push(`${expr} IS NULL`);
    else {
      parts.push(`${expr} = ?`);
      params.push(value);
    }
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}
