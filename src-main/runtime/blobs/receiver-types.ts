/** Messages between the main thread and a receiver thread (receiver-threads.ts, receiver-program.ts). */

/** A signed, pinned HTTPS request, ready to send from any thread (the transport prepares it). */
export interface OutgoingRequest {
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  /** Signature headers (the body is signed as this exact text). */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** `sha256:<hex>` of the certificate the peer must present. */
  readonly expectedFingerprint: string;
}

/** A piece the thread may write: its record index, BLAKE3 (64 hex), length and every offset it fills. */
export interface ThreadPiece {
  readonly index: number;
  readonly hash: string;
  readonly size: number;
  readonly offsets: readonly number[];
}

/** One request: its answer's pieces go into the pack file at `path` (opened by the thread for this request). */
export interface ThreadJob {
  readonly id: number;
  readonly request: OutgoingRequest;
  readonly path: string;
  readonly pieces: readonly ThreadPiece[];
}

/**
 * What the thread reports: `ok` (these pieces are verified and written; sent in batches), `bad` (not the piece asked for: wrong length
 * or hash; nothing written), `status` (the peer refused: its JSON error), `err` (the connection, the
 * disk or the peer's framing failed), and always `done` last.
 */
export type ThreadReport =
  | { readonly id: number; readonly t: 'ok' | 'bad'; readonly indices: readonly number[] }
  | { readonly id: number; readonly t: 'status'; readonly status: number; readonly text: string }
  | {
      readonly id: number;
      readonly t: 'err';
      readonly kind: 'net' | 'io' | 'proto';
      readonly code: string | null;
      readonly message: string;
    }
  | { readonly id: number; readonly t: 'done' };

export interface ReceiverData {
  /** Where `@napi-rs/blake-hash` resolves from (the thread loads the same native hasher). */
  readonly blake3Path: string;
  /** Longest silence of a peer before the request fails. */
  readonly idleMs: number;
  readonly maxRecordBytes: number;
}
