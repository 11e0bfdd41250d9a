/** Per-node TLS certificate pins (§4 of ../shared/spec/hearthnet-reference.md tls.py `PinnedCerts`), kept in SQLite. */
import Database from 'better-sqlite3';
import { CallError, type NodeId } from '../../common';
import { isFullNodeId, verifyPayload } from '../identity';

/** A pinned fingerprint and the issued_at of the signed manifest that announced it. */
export interface PinRecord {
  readonly nodeId: NodeId;
  readonly fingerprint: string;
  readonly issuedAt: string;
}

/** Outcome of offering a signed manifest to the pin store. */
export type PinDecision = 'pinned' | 'unchanged' | 'rotated';

/**
 * Trust on first verified manifest: the first signed manifest of a node id pins its certificate
 * fingerprint; afterwards a different certificate is refused unless a newer signed manifest (a
 * later `issued_at`) from the same node id announces it. `:memory:` keeps pins in memory only.
 */
export class PinnedCerts {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { fingerprint: string; issued_at: string }>;
  private readonly putStmt: Database.Statement<[string, string, string]>;
  private readonly cache = new Map<NodeId, string>();

  constructor(dbPath = ':memory:') {
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS tls_pins (
      node_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, issued_at TEXT NOT NULL)`);
    this.getStmt = this.db.prepare('SELECT fingerprint, issued_at FROM tls_pins WHERE node_id = ?');
    this.putStmt = this.db.prepare(`INSERT INTO tls_pins (node_id, fingerprint, issued_at) VALUES (?, ?, ?)
      ON CONFLICT(node_id) DO UPDATE SET fingerprint = excluded.fingerprint, issued_at = excluded.issued_at`);
  }

  /** Pin `fingerprint` for `nodeId` unconditionally (tests, manual trust); prefer `acceptManifest`. */
  record(nodeId: NodeId, fingerprint: string, issuedAt = ''): void {
    if (!/^sha256:[0-9a-f]{64}$/.test(fingerprint))
      throw new CallError('bad_request', `"${fingerprint}" is not a sha256:<hex> certificate fingerprint`);
    this.putStmt.run(nodeId, fingerprint, issuedAt);
    this.cache.set(nodeId, fingerprint);
  }

  /** The pinned fingerprint of `nodeId`, or null when none is pinned yet. */
  expected(nodeId: NodeId): string | null {
    const hit = this.cache.get(nodeId);
    if (hit) return hit;
    const row = this.getStmt.get(nodeId);
    if (row) this.cache.set(nodeId, row.fingerprint);
    return row?.fingerprint ?? null;
  }

  /** The whole pin record of `nodeId`, or null. */
  get(nodeId: NodeId): PinRecord | null {
    const row = this.getStmt.get(nodeId);
    return row ? { nodeId, fingerprint: row.fingerprint, issuedAt: row.issued_at } : null;
  }

  /** True only when a pin exists and equals `presented`. */
  verify(nodeId: NodeId, presented: string): boolean {
    const want = this.expected(nodeId);
    return want !== null && want === presented;
  }

  /**
   * Offer a node manifest (fetched from the peer, or from the event log). Its signature by its
   * own `node_id` is checked; `load.tls_fingerprint` is pinned on first sight, and replaces the
   * pin only when the manifest is newer than the one that set it. When `presented` is given (the
   * certificate of the connection the manifest came over) it must equal the announced fingerprint.
   * Throws CallError invalid_signature / forbidden / bad_request.
   */
  acceptManifest(manifest: Record<string, unknown>, presented?: string): PinDecision {
    const nodeId = manifest.node_id;
    if (!isFullNodeId(nodeId) || !verifyPayload(manifest, nodeId)) {
      throw new CallError('invalid_signature', 'the node manifest is not signed by the node it names');
    }
    const load = manifest.load as Record<string, unknown> | undefined;
    const fp = load?.tls_fingerprint;
    const issuedAt = typeof manifest.issued_at === 'string' ? manifest.issued_at : '';
    if (typeof fp !== 'string') throw new CallError('bad_request', 'the node manifest has no load.tls_fingerprint');
    if (presented !== undefined && presented !== fp) {
      throw new CallError('forbidden', `node ${nodeId} presented a TLS certificate its manifest does not announce`);
    }
    const cur = this.get(nodeId);
    if (!cur) {
      this.record(nodeId, fp, issuedAt);
      return 'pinned';
    }
    if (cur.fingerprint === fp) {
      if (issuedAt > cur.issuedAt) this.record(nodeId, fp, issuedAt);
      return 'unchanged';
    }
    // WallClock is fixed-width ISO UTC, so string order is time order.
    if (issuedAt > cur.issuedAt) {
      this.record(nodeId, fp, issuedAt);
      return 'rotated';
    }
    throw new CallError(
      'forbidden',
      `node ${nodeId} announces a different TLS certificate in a manifest no newer than the pinned one`,
    );
  }

  /** Forget a node's pin (e.g. after it is revoked). */
  forget(nodeId: NodeId): void {
    this.db.prepare('DELETE FROM tls_pins WHERE node_id = ?').run(nodeId);
    this.cache.delete(nodeId);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
