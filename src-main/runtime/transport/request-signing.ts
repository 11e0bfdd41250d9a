/**
 * Signed peer requests (docs/protocol/transport.md §Request signing): one `authorization` header
 * (`Hearth node=…, ts=…, nonce=…, sig=…`) with an ed25519 signature over canonicalJson of the
 * request's method, path, parties, time, nonce and body hash.
 */
import * as cryptoNs from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { CallError, canonicalJsonBytes, type NodeId } from '../../common';
import {
  decodeSignature,
  encodeSignature,
  isFullNodeId,
  publicKeyBytesOf,
  signBytes,
  signingLane,
  verifyBytes,
  type KeyPair,
} from '../identity';
import { NonceCache, NONCE_CACHE_MAX } from './nonce-cache';

/**
 * The one header that signs a request. (It was four `x-hearth-*` headers; one costs the client and
 * the server ~12 us less per request in node's header handling — docs/decisions/transport.md.)
 */
export const HEADER_AUTHORIZATION = 'authorization';
export const AUTH_SCHEME = 'Hearth';

/** The parts of a signed request's `authorization` header, as text. */
export interface RequestAuthorization {
  readonly node: string;
  readonly ts: string;
  readonly nonce: string;
  readonly sig: string;
}

export function formatAuthorization(a: RequestAuthorization): string {
  return `${AUTH_SCHEME} node=${a.node}, ts=${a.ts}, nonce=${a.nonce}, sig=${a.sig}`;
}

const AUTHORIZATION =
  /^Hearth node=(ed25519:[A-Za-z0-9_-]{43}), ts=(\d{1,16}), nonce=([A-Za-z0-9_-]{22}), sig=(\S{1,200})$/;

/** The header's parts, or null when it is missing or not exactly in the format above. */
export function parseAuthorization(header: string | null | undefined): RequestAuthorization | null {
  const m = header ? AUTHORIZATION.exec(header) : null;
  return m ? { node: m[1], ts: m[2], nonce: m[3], sig: m[4] } : null;
}
/** A request is accepted only while |now - ts| is at most this. */
export const SIGNATURE_WINDOW_MS = 60_000;

/** Why a signed request was refused (the `reason` label of hearthnet_signature_failures_total). */
export type SignatureFailureReason = 'malformed' | 'stale' | 'replayed' | 'bad_signature' | 'nonce_cache_full';

/** What is signed. `to` binds the request to one recipient, so a peer cannot replay it elsewhere. */
export interface SignedRequestFields {
  readonly method: string;
  /** Path with its query string, exactly as sent (`/pubsub/v1/subscribe?topic=a&last_seq=0`). */
  readonly path: string;
  readonly node: string;
  readonly to: string;
  readonly ts: number;
  readonly nonce: string;
  readonly body_sha256: string;
}

/** Random bytes drawn in blocks: one RNG call per 256 nonces instead of one per request. */
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;
function freshNonce(): string {
  if (nonceOffset + 16 > noncePool.length) {
    noncePool = randomBytes(16 * 256);
    nonceOffset = 0;
  }
  const n = noncePool.toString('base64url', nonceOffset, nonceOffset + 16);
  nonceOffset += 16;
  return n;
}

/** node:crypto's one-shot `hash` (Node >= 20.12) skips the Hash object: ~0.5 us instead of ~1.3 us here. */
const oneShotHash = (cryptoNs as { hash?: (alg: string, data: Uint8Array | string, enc: 'hex') => string }).hash;

export function sha256Hex(body: Uint8Array | string): string {
  return oneShotHash ? oneShotHash('sha256', body, 'hex') : createHash('sha256').update(body).digest('hex');
}

/** The exact bytes signed for a request. */
export function signedRequestBytes(f: SignedRequestFields): Uint8Array {
  const method = f.method.toUpperCase();
  // Hot path (every request, both ends): the canonicalJson of this fixed seven-key object written
  // out directly — keys in sorted order, strings via JSON.stringify exactly as canonicalJson does.
  // A test pins it byte-for-byte to canonicalJsonBytes; anything unusual takes the general encoder.
  if (
    Number.isSafeInteger(f.ts) &&
    f.ts >= 0 &&
    typeof f.path === 'string' &&
    typeof f.node === 'string' &&
    typeof f.to === 'string' &&
    typeof f.nonce === 'string' &&
    typeof f.body_sha256 === 'string'
  ) {
    const s = `{"body_sha256":${JSON.stringify(f.body_sha256)},"method":${JSON.stringify(method)},"node":${JSON.stringify(f.node)},"nonce":${JSON.stringify(f.nonce)},"path":${JSON.stringify(f.path)},"to":${JSON.stringify(f.to)},"ts":${f.ts}}`;
    return Buffer.from(s, 'utf8');
  }
  return canonicalJsonBytes({
    method,
    path: f.path,
    node: f.node,
    to: f.to,
    ts: f.ts,
    nonce: f.nonce,
    body_sha256: f.body_sha256,
  });
}

/** The header that signs a request from `kp` to node `to`. */
export function signRequest(
  kp: KeyPair,
  req: { method: string; path: string; to: string; body: Uint8Array | string },
  nowMs = Date.now(),
): Record<string, string> {
  const { fields, bytes } = requestToSign(kp, req, nowMs);
  return signedHeaders(fields, signBytes(kp, bytes));
}

/**
 * Same headers as `signRequest`, with the ed25519 signature made on the signing lane's thread: the
 * event loop (which also serves this node's own peers) is not held for the ~45 us a signature costs.
 */
export async function signRequestAsync(
  kp: KeyPair,
  req: { method: string; path: string; to: string; body: Uint8Array | string },
  nowMs = Date.now(),
): Promise<Record<string, string>> {
  const { fields, bytes } = requestToSign(kp, req, nowMs);
  try {
    return signedHeaders(fields, encodeSignature(await signingLane.sign(kp.secretKey, bytes)));
  } catch (err) {
    throw new CallError('internal_error', `could not sign the request: ${(err as Error).message}`, { cause: err });
  }
}

function requestToSign(
  kp: KeyPair,
  req: { method: string; path: string; to: string; body: Uint8Array | string },
  nowMs: number,
) {
  const fields: SignedRequestFields = {
    method: req.method,
    path: req.path,
    node: kp.nodeIdFull,
    to: req.to,
    ts: nowMs,
    nonce: freshNonce(),
    body_sha256: sha256Hex(req.body),
  };
  return { fields, bytes: signedRequestBytes(fields) };
}

function signedHeaders(f: SignedRequestFields, signature: string): Record<string, string> {
  return {
    [HEADER_AUTHORIZATION]: formatAuthorization({ node: f.node, ts: String(f.ts), nonce: f.nonce, sig: signature }),
  };
}

export interface RequestVerifierOptions {
  /** This node's full id: requests addressed to another node are refused. */
  readonly selfNodeId: string;
  readonly now?: () => number;
  readonly windowMs?: number;
  readonly maxNonces?: number;
  readonly onSignatureFailure?: (reason: SignatureFailureReason) => void;
}

/** Well-formed node ids remembered by a verifier (a pure check; cleared when full). */
const KNOWN_NODES_MAX = 1024;

type HeaderGet = (name: string) => string | undefined | null;

/** Membership gate run on a verified caller before its nonce is recorded; throws to refuse. */
export type Admit = (caller: NodeId) => void;

/** Server side: checks format, freshness, nonce uniqueness and signature; returns the caller. */
export class RequestVerifier {
  private readonly nonces: NonceCache;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly knownNodes = new Set<string>();

  constructor(private readonly opts: RequestVerifierOptions) {
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.windowMs ?? SIGNATURE_WINDOW_MS;
    this.nonces = new NonceCache(this.windowMs, undefined, opts.maxNonces ?? NONCE_CACHE_MAX);
  }

  /** Verified full node id of the caller, or throws CallError('invalid_signature'). */
  verify(req: { method: string; path: string; header: HeaderGet; body: Uint8Array }, admit?: Admit): NodeId {
    const c = this.precheck(req);
    return this.settle(c, verifyBytes(c.node, c.bytes, c.signature), admit);
  }

  /**
   * Same checks and answers as `verify`, with the ed25519 verification (the costliest step, ~125 us)
   * on the signing lane's thread so the event loop keeps serving while it runs.
   */
  async verifyAsync(
    req: { method: string; path: string; header: HeaderGet; body: Uint8Array },
    admit?: Admit,
  ): Promise<NodeId> {
    const c = this.precheck(req);
    const sig = decodeSignature(c.signature);
    return this.settle(c, sig !== null && (await signingLane.verify(publicKeyBytesOf(c.node), c.bytes, sig)), admit);
  }

  /** Format and freshness; the bytes whose signature must then be checked. */
  private precheck(req: { method: string; path: string; header: HeaderGet; body: Uint8Array }): {
    node: string;
    ts: number;
    nonce: string;
    signature: string;
    bytes: Uint8Array;
  } {
    const auth = parseAuthorization(req.header(HEADER_AUTHORIZATION));
    if (!auth || !this.wellFormedNode(auth.node)) {
      return this.fail(
        'malformed',
        'the request is not signed: an "authorization: Hearth node=…, ts=…, nonce=…, sig=…" header is required',
      );
    }
    const { node, nonce, sig: signature } = auth;
    const ts = Number(auth.ts);
    const now = this.now();
    if (Math.abs(now - ts) > this.windowMs) {
      return this.fail(
        'stale',
        `the request is stale: its timestamp is ${Math.round((now - ts) / 1000)} s from this node's clock (limit ${this.windowMs / 1000} s); check both clocks`,
      );
    }
    const fields: SignedRequestFields = {
      method: req.method,
      path: req.path,
      node,
      to: this.opts.selfNodeId,
      ts,
      nonce,
      body_sha256: sha256Hex(req.body),
    };
    return { node, ts, nonce, signature, bytes: signedRequestBytes(fields) };
  }

  /** `isFullNodeId` (a base64 decode + re-encode) remembered for the few peers that call this node. */
  private wellFormedNode(node: string): boolean {
    if (this.knownNodes.has(node)) return true;
    if (!isFullNodeId(node)) return false;
    if (this.knownNodes.size >= KNOWN_NODES_MAX) this.knownNodes.clear();
    this.knownNodes.add(node);
    return true;
  }

  /**
   * After the signature check: admit the caller (membership), then record the nonce. Only valid
   * signatures of admitted callers are remembered, so neither forgeries nor non-members (who may
   * sign as much as they like) can fill the cache and push members into capacity_exceeded.
   */
  private settle(c: { node: string; ts: number; nonce: string }, signatureOk: boolean, admit?: Admit): NodeId {
    if (!signatureOk)
      return this.fail('bad_signature', 'the request signature does not verify for this node, path and body');
    admit?.(c.node as NodeId);
    const seen = this.nonces.add(`${c.node}|${c.nonce}`, c.ts, this.now());
    if (seen === 'replayed') return this.fail('replayed', 'the request was replayed: its nonce was already used');
    if (seen === 'full')
      return this.fail('nonce_cache_full', 'too many requests in the signature window; try again shortly');
    return c.node as NodeId;
  }

  private fail(reason: SignatureFailureReason, message: string): never {
    this.opts.onSignatureFailure?.(reason);
    if (reason === 'nonce_cache_full') throw new CallError('capacity_exceeded', message, { retryAfterMs: 1000 });
    throw new CallError('invalid_signature', message, { details: { reason } });
  }
}
