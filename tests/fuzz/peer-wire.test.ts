/**
 * Fuzz: what a peer sends on the transport — signed-request headers, bus call envelopes, blob chunk
 * requests and the chunk record stream. Arbitrary and mutated-valid inputs never crash, never
 * write state (a refused request does not use up a nonce) and get only the documented codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallError } from '../../src-main/common';
import { generateKeyPair } from '../../src-main/runtime/identity';
import {
  BLOB_CHUNKS_MAX_PER_REQUEST,
  ChunkRecordParser,
  chunkRecordHeader,
  parseAuthorization,
  parseBlobChunksRequest,
  RequestVerifier,
  signRequest,
} from '../../src-main/runtime/transport';
import { parseBusCall } from '../../src-main/runtime/transport/bus-call';
import { parseJsonObject } from '../../src-main/runtime/transport/conn-info';
import { budget, expectOnly, mutated, mutatedBytes } from './budget';

const caller = generateKeyPair();
const server = generateKeyPair();
const enc = new TextEncoder();

describe('fuzz: signed-request headers', () => {
  it('arbitrary authorization headers parse to null or fields, never throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (h) => void parseAuthorization(h)),
      budget(),
    );
  });

  it('mutated valid headers and bodies are refused with invalid_signature, and never consume the nonce of the real request', () => {
    const now = Date.now();
    const body = enc.encode('{"capability":"test.echo","version":"1.0","body":{}}');
    const headers = signRequest(caller, { method: 'POST', path: '/bus/v1/call', to: server.nodeIdFull, body }, now);
    const auth = headers.authorization;
    fc.assert(
      fc.property(mutated(auth), fc.boolean(), (h, alsoBody) => {
        const verifier = new RequestVerifier({ selfNodeId: server.nodeIdFull, now: () => now });
        const b = alsoBody ? enc.encode('{"capability":"test.echo","version":"1.0","body":{"x":1}}') : body;
        const got = expectOnly(['invalid_signature', 'capacity_exceeded'], () =>
          verifier.verify({
            method: 'POST',
            path: '/bus/v1/call',
            header: (n) => (n === 'authorization' ? h : undefined),
            body: b,
          }),
        );
        if (got !== undefined) {
          // Only an edit the parser ignores can pass, and then it is the same request: same caller.
          expect(got).toBe(caller.nodeIdFull);
          expect(alsoBody).toBe(false);
          return;
        }
        // The refused attempt wrote nothing: the genuine request still verifies once.
        expect(
          verifier.verify({
            method: 'POST',
            path: '/bus/v1/call',
            header: (n) => (n === 'authorization' ? auth : undefined),
            body,
          }),
        ).toBe(caller.nodeIdFull);
      }),
      budget(),
    );
  });
});

describe('fuzz: bus call envelopes and blob chunk requests', () => {
  const json = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
  );
  const withFields = fc.record(
    {
      capability: fc.oneof(fc.string(), fc.constantFrom('llm.chat', 'market.list')),
      version: fc.oneof(fc.string(), fc.constant('1.0')),
      body: fc.jsonValue({ maxDepth: 2 }),
      trace_id: fc.oneof(fc.string({ maxLength: 80 }), fc.integer()),
      session_id: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
      stream: fc.oneof(fc.boolean(), fc.string()),
      params: fc.oneof(fc.object(), fc.constant(null), fc.array(fc.integer())),
    },
    { requiredKeys: [] },
  );

  it('bus envelopes from arbitrary bytes: bad_request or a checked request', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          json,
          withFields.map((o) => JSON.stringify(o)),
        ),
        (text) => {
          const req = expectOnly(['bad_request'], () => parseBusCall(parseJsonObject(enc.encode(text))));
          if (req) {
            expect(req.capability).toMatch(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/);
            expect(req.version).toMatch(/^\d+\.\d+$/);
          }
        },
      ),
      budget(),
    );
  });

  it('blob chunk requests: bad_request or 1..256 chunk indices', () => {
    const req = fc.record(
      {
        cid: fc.oneof(fc.string({ maxLength: 250 }), fc.integer()),
        chunks: fc.oneof(fc.array(fc.oneof(fc.integer(), fc.double(), fc.string()), { maxLength: 300 }), fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          json,
          req.map((o) => JSON.stringify(o)),
        ),
        (text) => {
          const r = expectOnly(['bad_request'], () => parseBlobChunksRequest(parseJsonObject(enc.encode(text))));
          if (r) {
            // One blob's pieces, or many blobs' pieces: 1 to BLOB_CHUNKS_MAX_PER_REQUEST in all.
            const pieces = 'blobs' in r ? r.blobs.reduce((n, b) => n + b.chunks.length, 0) : r.chunks.length;
            expect(pieces).toBeGreaterThan(0);
            expect(pieces).toBeLessThanOrEqual(BLOB_CHUNKS_MAX_PER_REQUEST);
          }
        },
      ),
      budget(),
    );
  });
});

describe('fuzz: blob chunk record stream', () => {
  const MAX = 4096;
  const valid = (() => {
    const parts: number[] = [];
    for (const [i, n] of [
      [0, 10],
      [1, 0],
      [7, 300],
    ] as const)
      parts.push(...chunkRecordHeader(i, n), ...new Uint8Array(n).fill(i + 1));
    return Uint8Array.from(parts);
  })();

  /** Feeds `bytes` in the given slice sizes; returns the records, or the documented refusal. */
  function feed(bytes: Uint8Array, cuts: number[]): Array<{ index: number; length: number }> | 'refused' {
    const p = new ChunkRecordParser(MAX);
    const out: Array<{ index: number; length: number }> = [];
    let at = 0;
    try {
      for (const c of [...cuts, bytes.length]) {
        const end = Math.min(bytes.length, at + Math.max(1, c));
        p.push(bytes.subarray(at, end));
        at = end;
        for (let r = p.next(); r; r = p.next()) {
          expect(r.data.length).toBeLessThanOrEqual(MAX);
          out.push({ index: r.index, length: r.data.length });
        }
        if (at >= bytes.length) break;
      }
    } catch (err) {
      if (err instanceof CallError && err.code === 'bad_request') return 'refused';
      throw err;
    }
    return out;
  }

  it('any split of a valid stream yields the same records', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 20 }), (cuts) => {
        expect(feed(valid, cuts)).toEqual([
          { index: 0, length: 10 },
          { index: 1, length: 0 },
          { index: 7, length: 300 },
        ]);
      }),
      budget(),
    );
  });

  it('arbitrary and mutated streams: records within the bound, or bad_request; never a crash', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 2000 }), mutatedBytes(valid));
    fc.assert(
      fc.property(
        bytes,
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 10 }),
        (b, cuts) => void feed(b, cuts),
      ),
      budget(),
    );
  });
});
