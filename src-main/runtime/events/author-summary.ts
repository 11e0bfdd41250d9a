/** Per-author summaries {count, max_lamport, digest}: the exact fingerprint sync compares. */
import type Database from 'better-sqlite3';
import { addToDigest, digestFromHex, digestToHex, newDigestSum } from './digest';

/** What one node holds of one author's events. Wire names (sent in HeadsReport.authors). */
export interface AuthorSummary {
  readonly count: number;
  readonly max_lamport: number;
  /** Hex sum mod 2^256 of BLAKE3(event_id) over the author's events (see digest.ts). */
  readonly digest: string;
}

interface Running {
  count: number;
  maxLamport: number;
  sum: Uint8Array;
}

/**
 * Kept in memory (one row per author: small); changed rows are written to `author_summary` by
 * `persist()`, which the log calls at the end of every insert transaction (once per author per
 * batch, not once per event). `reload` resynchronises after a rollback.
 */
export class AuthorSummaries {
  private rows = new Map<string, Running>();
  private readonly dirty = new Set<string>();
  private readonly upsert: Database.Statement<[string, number, number, string]>;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      'INSERT INTO author_summary (author, count, max_lamport, digest) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (author) DO UPDATE SET count = excluded.count, max_lamport = excluded.max_lamport, digest = excluded.digest',
    );
    this.reload();
  }

  reload(): void {
    this.rows = new Map();
    this.dirty.clear();
    const all = this.db.prepare('SELECT author, count, max_lamport, digest FROM author_summary').all() as Array<{
      author: string;
      count: number;
      max_lamport: number;
      digest: string;
    }>;
    for (const r of all)
      this.rows.set(r.author, { count: r.count, maxLamport: r.max_lamport, sum: digestFromHex(r.digest) });
  }

  /** Record an inserted event (in memory until `persist`). */
  add(author: string, eventId: string, lamport: number): void {
    let r = this.rows.get(author);
    if (!r) {
      r = { count: 0, maxLamport: 0, sum: newDigestSum() };
      this.rows.set(author, r);
    }
    r.count += 1;
    r.maxLamport = Math.max(r.maxLamport, lamport);
    addToDigest(r.sum, eventId);
    this.dirty.add(author);
  }

  /** Write changed rows; call inside the insert's transaction, before commit. */
  persist(): void {
    for (const author of this.dirty) {
      const r = this.rows.get(author);
      if (!r) throw new Error(`author ${author} is marked changed but has no summary`); // add() sets both
      this.upsert.run(author, r.count, r.maxLamport, digestToHex(r.sum));
    }
    this.dirty.clear();
  }

  /** A plain, JSON-ready copy keyed by full author node id. */
  all(): Record<string, AuthorSummary> {
    const out: Record<string, AuthorSummary> = {};
    for (const [author, r] of this.rows)
      out[author] = { count: r.count, max_lamport: r.maxLamport, digest: digestToHex(r.sum) };
    return out;
  }
}
