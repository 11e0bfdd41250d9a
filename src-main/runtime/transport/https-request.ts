/**
 * One HTTPS request to a peer with certificate pinning: the presented certificate is checked
 * against the expected fingerprint on `secureConnect` (or at once on a reused keep-alive socket)
 * BEFORE the request line, headers or body are written.
 */
import { request, type Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { CallError, HTTP_STATUS, isWireCode, type WireErrorCode } from '../../common';
import { errnoCode, errorMessage } from '../../common/error-message';
import { fingerprintOfDer } from './tls';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);

/** Fingerprints computed once per TLS socket (keep-alive sockets serve many requests). */
const socketFingerprints = new WeakMap<TLSSocket, string>();

export function fingerprintOfSocket(socket: TLSSocket): string | null {
  const hit = socketFingerprints.get(socket);
  if (hit) return hit;
  // Empty ({}) until the handshake is done; `raw` is then set (the type says it always is).
  const cert = socket.getPeerCertificate(false) as Partial<PeerCertificate> | null;
  if (!cert?.raw) return null;
  const fp = fingerprintOfDer(cert.raw);
  socketFingerprints.set(socket, fp);
  return fp;
}

/** Maps a socket-level failure to a CallError; CallErrors pass through. */
export function toCallError(err: unknown, what: string): CallError {
  if (err instanceof CallError) return err;
  const code = errnoCode(err);
  if (code && NETWORK_CODES.has(code))
    return new CallError('partition', `${what}: the peer cannot be reached (${code})`, { cause: err });
  return new CallError('partition', `${what}: the connection failed (${errorMessage(err)})`, {
    cause: err,
  });
}

/**
 * The part of AbortSignal these helpers use. An AbortSignal satisfies it; so does the client's
 * lighter per-call deadline (an AbortController + EventTarget per request is measurable CPU).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface PinnedRequest {
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** JSON text (sent in one write with the headers) or bytes. */
  readonly body: Uint8Array | string | null;
  /** Required fingerprint, or null to accept any certificate (manifest fetch only). */
  readonly expectedFingerprint: string | null;
  /** Aborting destroys the request; its reason (a CallError) is what the caller sees. */
  readonly signal: CancelSignal;
  readonly what: string;
}

/** Resolves with the response (body unread) and the certificate fingerprint the peer presented. */
export function pinnedRequest(o: PinnedRequest): Promise<{ res: IncomingMessage; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) {
      reject(toCallError(o.signal.reason, o.what));
      return;
    }
    const headers: Record<string, string> = { ...o.headers, accept: 'application/json, text/event-stream' };
    if (o.body !== null) headers['content-type'] = 'application/json';
    if (o.body !== null)
      headers['content-length'] = String(typeof o.body === 'string' ? Buffer.byteLength(o.body) : o.body.byteLength);
    const req = request({
      agent: o.agent,
      host: o.host,
      port: o.port,
      method: o.method,
      path: o.path,
      headers,
      rejectUnauthorized: false,
    });
    let fingerprint = '';
    let done = false;
    const fail = (err: unknown) => {
      if (done) return;
      done = true;
      o.signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(toCallError(err, o.what));
    };
    const onAbort = () => fail(o.signal.reason);
    o.signal.addEventListener('abort', onAbort, { once: true });
    req.once('error', fail);
    req.once('socket', (s) => {
      if (!(s instanceof TLSSocket)) {
        fail(new CallError('partition', `${o.what}: the connection is not TLS`)); // https.request always is
        return;
      }
      const socket = s;
      const check = () => {
        const fp = fingerprintOfSocket(socket);
        if (!fp || (o.expectedFingerprint !== null && fp !== o.expectedFingerprint)) {
          // Never reuse this connection, and never send it the request.
          socket.destroy();
          fail(
            new CallError(
              'forbidden',
              `${o.what}: the peer's TLS certificate does not match the one pinned for this node (expected ${o.expectedFingerprint}, got ${fp})`,
            ),
          );
          return;
        }
        fingerprint = fp;
        const b = o.body;
        req.end(b === null ? undefined : typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      };
      // A reused keep-alive socket is already verified-and-fingerprinted: check at once.
      if (socketFingerprints.has(socket) || fingerprintOfSocket(socket) !== null) check();
      else socket.once('secureConnect', check);
    });
    req.once('response', (res) => {
      if (done) return res.destroy();
      done = true;
      o.signal.removeEventListener('abort', onAbort);
      resolve({ res, fingerprint });
    });
  });
}

/** Reads a whole response body (bounded), failing with the abort reason if `signal` fires. */
export function readResponse(
  res: IncomingMessage,
  signal: CancelSignal,
  what: string,
  limit = 64 * 1024 * 1024,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: unknown, value?: Buffer) => {
      signal.removeEventListener('abort', onAbort);
      res.off('data', onData);
      if (err) {
        res.destroy();
        reject(toCallError(err, what));
      } else resolve(value ?? Buffer.alloc(0));
    };
    const onAbort = () => finish(signal.reason);
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) finish(new CallError('payload_too_large', `${what}: the reply is larger than ${limit} bytes`));
      else chunks.push(c);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', onData);
    res.once('end', () => finish(null, Buffer.concat(chunks)));
    res.once('error', (e) => finish(e));
    res.once('aborted', () => finish(new CallError('partition', `${what}: the connection closed mid-reply`)));
  });
}

/** The CallError an error reply stands for: its `{error}` body, or one derived from the status. */
export function errorFromReply(status: number, text: string, what: string): CallError {
  try {
    const v = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null; // a peer's reply
    if (v?.error && isWireCode(v.error.code)) {
      return CallError.fromWire({
        ...(v.error as object),
        code: v.error.code,
        message: `${what}: ${typeof v.error.message === 'string' ? v.error.message : v.error.code}`,
      });
    }
  } catch {
    // Not JSON: fall through to the status code.
  }
  const code = (Object.entries(HTTP_STATUS).find(([, s]) => s === status)?.[0] ?? 'internal_error') as WireErrorCode;
  return new CallError(code, `${what}: the peer answered HTTP ${status}`);
}
