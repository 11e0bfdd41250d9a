/** Facts about the connection a request came on: TLS or not, loopback or not, raw body. */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CallError } from '../../common';

/** Default largest request body: 4 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export function isTls(incoming: IncomingMessage): boolean {
  return (incoming.socket as TLSSocket | undefined)?.encrypted === true;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** The request body, at most `limit` bytes; larger -> CallError payload_too_large (and the connection closes). */
export function readBody(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooBig = () => {
    // The rest of an oversize body is not read; the connection cannot be reused.
    (incoming.socket as Socket | null)?.setTimeout(5_000); // null once destroyed, whatever the type says
    return new CallError('payload_too_large', `the request body is larger than ${limit} bytes`);
  };
  const declared = Number(incoming.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.reject(tooBig());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        incoming.resume();
        reject(tooBig());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new CallError('cancelled', 'the request body was cut off', { cause: err }));
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    if (incoming.readableEnded) {
      resolve(new Uint8Array(0));
      return;
    }
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}

/** Parses a JSON object body; anything else -> CallError bad_request. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new CallError('bad_request', 'the request body is not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new CallError('bad_request', 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}
