/** The HttpClient's options and the shapes its methods take and give (client.ts). */
import type { KeyPair } from '../identity';
import type { PinnedCerts } from './pinned-certs';

export interface HttpClientOptions {
  readonly kp: KeyPair;
  readonly pinnedCerts: PinnedCerts;
  /** Default for `call` (whole call) and `stream` (longest silence between frames). */
  readonly timeoutDefaultMs?: number;
  readonly now?: () => number;
  /** Most sockets per peer address (keep-alive pool). */
  readonly maxSocketsPerPeer?: number;
  /** Ask peers to coalesce stream frames into fewer SSE messages (default true; docs/protocol/transport.md). */
  readonly streamBatching?: boolean;
}

/**
 * What `syncChannel` hands the event-sync code: opaque JSON over the signed sync endpoints. The
 * replies are unchecked; events' `checkedSyncChannel` validates them before they are read.
 */
export interface SyncChannel {
  heads(opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
  events(body: object, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
}

/** A request's own deadline and the caller's cancel. */
export type Timed = { timeoutMs?: number; signal?: AbortSignal };
/** A document a peer serves without a pin, with the certificate fingerprint it presented. */
export type PublicDoc = { manifest: Record<string, unknown>; fingerprint: string };

export interface SendOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Skip the pin check (only to learn a fingerprint from a signed manifest). */
  readonly allowUnpinned?: boolean;
  /** Sign the request (peer endpoints) — public endpoints are not signed. */
  readonly signed?: boolean;
  /** Extra request headers (not signed). */
  readonly headers?: Record<string, string>;
}
