/**
 * Full-text search over posts on SQLite FTS5, like RAG's (one text engine in the runtime): an
 * in-memory FTS5 table kept current by the view on every apply, ranked with FTS5's bm25() where a
 * title word counts 3x, a tag 2.5x and a body word 1x. Text is normalised by `tokenize` (accents,
 * case, plurals) before FTS5 sees it, so documents and queries fold alike. Each query word also
 * matches the words it begins (FTS5 prefix queries, served by a prefix index), so results appear
 * while a person is still typing. Queries never throw.
 *
 * Cost: FTS5 scores every post the MATCH finds (bm25() per row, ~0.5 µs each on the bench machine), so
 * a query costs in proportion to how many posts hold its words; the query is shaped to find fewer
 * (see `search`), and nothing else per query touches a posting list twice (docs/benchmarks.md, issue 10).
 */
import Database from 'better-sqlite3';

/** A query term this long or longer also matches the words it begins. */
export const PREFIX_MIN_CHARS = 2;
/** How much one occurrence in each field weighs (bm25 column weights). */
export const FIELD_WEIGHTS = Object.freeze({ title: 4, tags: 2.5, body: 1 });
/** Longer runs are not words anyone searches for (hashes, URLs); they are cut. */
export const MAX_TOKEN_LENGTH = 40;
/**
 * A query word found in more than this share of posts ("the", "need") adds almost nothing to a
 * BM25 score yet makes FTS5 score every post holding it; it is left out of a query that has
 * rarer words, unless the rarer words alone find fewer than `limit` posts.
 */
const COMMON_TERM_SHARE = 0.1;
/** Index writes per SQLite transaction (see TextIndex.#write). */
const WRITE_BATCH = 1_000;
/** At most this many distinct query terms are scored. */
export const MAX_QUERY_TERMS = 16;

const SPLIT = /[^\p{L}\p{N}]+/u;
const MARKS = /\p{M}+/gu;

/** Light English plural folding, applied to documents and queries alike so it stays symmetric. */
function stem(t: string): string {
  if (t.length > 4 && t.endsWith('ies')) return `${t.slice(0, -3)}y`;
  if (t.length > 4 && /(ch|sh|x|z|ss)es$/.test(t)) return t.slice(0, -2);
  if (t.length > 3 && t.endsWith('s') && !/(ss|us|is)$/.test(t)) return t.slice(0, -1);
  return t;
}

/** Lower-case, strip accents, split on anything that is not a letter or digit, fold plurals. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.normalize('NFKD').replace(MARKS, '').toLowerCase().split(SPLIT)) {
    if (raw.length === 0) continue;
    out.push(stem(raw.slice(0, MAX_TOKEN_LENGTH)));
  }
  return out;
}

/** The searchable text of one post. */
export interface IndexedText {
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
}

export interface Hit {
  readonly id: string;
  readonly score: number;
}

export interface SearchLimits {
  readonly limit: number;
  /** Whether a hit may be returned (category, expiry); rejected hits make room for the next best. */
  readonly accept?: (id: string) => boolean;
}

/**
 * The query's distinct terms, at most MAX_QUERY_TERMS. The last one is the word a person may
 * still be typing: with PREFIX_MIN_CHARS or more it also matches the words it begins.
 */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
}

/**
 * The FTS5 MATCH expression for `terms`: each quoted (so no FTS5 operator in user text is ever
 * interpreted) and OR-ed (or AND-ed); the last one a prefix (`"lad"*` finds "ladder") when `prefixLast`.
 */
export function matchExpression(terms: readonly string[], prefixLast = true, join: 'OR' | 'AND' = 'OR'): string {
  const last = terms.length - 1;
  return terms
    .map((t, i) => (prefixLast && i === last && t.length >= PREFIX_MIN_CHARS ? `"${t}"*` : `"${t}"`))
    .join(` ${join} `);
}

// No stored rank column: reading one per match costs a row lookup each; ties are settled in JS.
const SCHEMA = `CREATE VIRTUAL TABLE posts_fts USING fts5(
  title, tags, body, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'
)`;
const VOCAB = `CREATE VIRTUAL TABLE posts_vocab USING fts5vocab(posts_fts, 'row')`;
const BM25 = `bm25(posts_fts, ${FIELD_WEIGHTS.title}, ${FIELD_WEIGHTS.tags}, ${FIELD_WEIGHTS.body})`;

type Statement = Database.Statement;

/** Rows are numbered by the index; post ids map to row ids here, not in SQL. */
export class TextIndex {
  readonly #db: Database.Database;
  readonly #insert: Statement;
  readonly #delete: Statement;
  readonly #search: Database.Statement<[string, number], { id: number; score: number }>;
  readonly #docsWith: Database.Statement<[string], { doc: number }>;
  readonly #firstWordIn: Database.Statement<[string, string], { term: string }>;
  /** Posts holding each word looked up since the last write (the vocabulary counts a whole posting list). */
  readonly #docCount = new Map<string, number>();
  readonly #rowOf = new Map<string, number>();
  readonly #idOf = new Map<number, string>();
  readonly #rankOf = new Map<number, number>();
  #nextRow = 1;
  #uncommitted = 0;

  constructor() {
    this.#db = new Database(':memory:');
    this.#db.exec(SCHEMA);
    this.#db.exec(VOCAB);
    this.#docsWith = this.#db.prepare('SELECT doc FROM posts_vocab WHERE term = ?');
    this.#firstWordIn = this.#db.prepare('SELECT term FROM posts_vocab WHERE term >= ? AND term < ? LIMIT 1');
    this.#insert = this.#db.prepare('INSERT INTO posts_fts(rowid, title, tags, body) VALUES (?, ?, ?, ?)');
    this.#delete = this.#db.prepare('DELETE FROM posts_fts WHERE rowid = ?');
    this.#search = this.#db.prepare(
      `SELECT rowid AS id, -${BM25} AS score FROM posts_fts WHERE posts_fts MATCH ? ORDER BY 2 DESC LIMIT ?`,
    );
  }

  /** Number of indexed posts. */
  get size(): number {
    return this.#rowOf.size;
  }

  /** Index (or re-index) a post's text. `rank` breaks score ties (higher first). */
  set(id: string, text: IndexedText, rank = 0): void {
    let row = this.#rowOf.get(id);
    if (row === undefined) {
      row = this.#nextRow++;
      this.#rowOf.set(id, row);
      this.#idOf.set(row, id);
    } else this.#delete.run(row);
    this.#write();
    const words = (s: string) => tokenize(s).join(' ');
    this.#rankOf.set(row, rank);
    this.#insert.run(row, words(text.title), words(text.tags.join(' ')), words(text.body));
  }

  remove(id: string): void {
    const row = this.#rowOf.get(id);
    if (row === undefined) return;
    this.#write();
    this.#delete.run(row);
    this.#rowOf.delete(id);
    this.#idOf.delete(row);
    this.#rankOf.delete(row);
  }

  clear(): void {
    this.#commit();
    this.#docCount.clear();
    this.#db.exec('DELETE FROM posts_fts');
    this.#rowOf.clear();
    this.#idOf.clear();
    this.#rankOf.clear();
  }

  /** Releases the SQLite handle; the index is unusable afterwards. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * Writes go in batches of up to WRITE_BATCH in one transaction: FTS5 then merges a batch's terms
   * in memory and writes one segment, not one per post (a replay of 50,000 posts is ~8x faster).
   * A search commits first; uncommitted rows are visible to it anyway (one connection).
   */
  #write(): void {
    this.#docCount.clear();
    if (this.#uncommitted === 0) this.#db.exec('BEGIN');
    if (++this.#uncommitted >= WRITE_BATCH) this.#commit();
  }

  #commit(): void {
    if (this.#uncommitted === 0) return;
    this.#uncommitted = 0;
    this.#db.exec('COMMIT');
  }

  /**
   * The best `limit` hits for `query` (any-term match), best first: score, then rank. Rows FTS5
   * ranks best are read in growing pages until `limit` of them pass `accept` (and no row left
   * unread could tie the last one) or none are left.
   */
  search(query: string, opts: SearchLimits): Hit[] {
    const terms = queryTerms(query);
    if (terms.length === 0 || this.#rowOf.size === 0 || opts.limit <= 0) return [];
    this.#commit();
    // A prefix query merges the posting lists of every word it begins (positions and all) before bm25
    // reads them; when the vocabulary holds no longer word, the plain word finds exactly the same posts.
    const prefix = this.#hasLongerWords(terms[terms.length - 1]);
    const common = this.#rowOf.size * COMMON_TERM_SHARE;
    const rare = terms.filter((t) => this.#docs(t) <= common);
    // Cheaper first tries whose best `limit` are (nearly always) the any-term query's best too.
    const first =
      rare.length > 0 && rare.length < terms.length
        ? matchExpression(rare, prefix && rare.at(-1) === terms.at(-1)) // the rare words alone
        : rare.length === 0 && terms.length > 1
          ? matchExpression(terms, prefix, 'AND') // only common words: posts holding all of them
          : null;
    if (first !== null) {
      const hits = this.#top(first, opts);
      if (hits.length === opts.limit) return hits;
    }
    return this.#top(matchExpression(terms, prefix), opts);
  }

  /** How many posts hold `term` (cached until the next write: the vocabulary reads its whole posting list). */
  #docs(term: string): number {
    let n = this.#docCount.get(term);
    if (n === undefined) {
      n = this.#docsWith.get(term)?.doc ?? 0;
      this.#docCount.set(term, n);
    }
    return n;
  }

  /**
   * Whether the index holds a word that `term` begins and that is longer (so a prefix query finds more
   * than the word). Words hold only letters and digits, all at or above '0': every longer word sorts
   * between `${term}0` and `${term}\u{10ffff}`, and the word itself before both.
   */
  #hasLongerWords(term: string): boolean {
    if (term.length < PREFIX_MIN_CHARS) return false;
    return this.#firstWordIn.get(`${term}0`, `${term}\u{10ffff}`) !== undefined;
  }

  #top(match: string, opts: SearchLimits): Hit[] {
    const rank = (row: number) => this.#rankOf.get(row) ?? 0;
    for (let page = opts.limit * 2 + 8; ; page *= 4) {
      const rows = this.#search.all(match, page);
      const complete = rows.length < page;
      const accepted: (Hit & { row: number })[] = [];
      for (const r of rows) {
        const id = this.#idOf.get(r.id);
        if (id !== undefined && (!opts.accept || opts.accept(id))) accepted.push({ id, score: r.score, row: r.id });
      }
      // An unread row scores at most the last one read: enough when that is below the limit-th kept.
      const lastRead = rows.at(-1)?.score ?? Number.NEGATIVE_INFINITY;
      const enough = accepted.length >= opts.limit && lastRead < accepted[opts.limit - 1].score;
      if (complete || enough) {
        accepted.sort((a, b) => b.score - a.score || rank(b.row) - rank(a.row));
        return accepted.slice(0, opts.limit).map(({ id, score }) => ({ id, score }));
      }
    }
  }
}
