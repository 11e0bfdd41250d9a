import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src-main/common';
import { generateKeyPair, verifyBytes } from '../../../src-main/runtime/identity';
import {
  formatAuthorization,
  parseAuthorization,
  RequestVerifier,
  signedRequestBytes,
  signRequest,
  type RequestAuthorization,
  type SignatureFailureReason,
} from '../../../src-main/runtime/transport';
import { NonceCache } from '../../../src-main/runtime/transport/nonce-cache';

const alice = generateKeyPair();
const bob = generateKeyPair();
const body = new TextEncoder().encode('{"capability":"llm.chat"}');
const auth = (h: Record<string, string>) => parseAuthorization(h.authorization)!;
/** The same signed headers with some parts of the authorization replaced. */
const patched = (h: Record<string, string>, over: Partial<RequestAuthorization>) => ({
  authorization: formatAuthorization({ ...auth(h), ...over }),
});

function setup(start = 1_800_000_000_000) {
  let now = start;
  const failures: SignatureFailureReason[] = [];
  const v = new RequestVerifier({
    selfNodeId: bob.nodeIdFull,
    now: () => now,
    onSignatureFailure: (r) => failures.push(r),
  });
  const req = (
    headers: Record<string, string>,
    over: Partial<{ method: string; path: string; body: Uint8Array }> = {},
  ) => ({
    method: 'POST',
    path: '/bus/v1/call',
    body,
    header: (n: string) => headers[n],
    ...over,
  });
  return { v, failures, req, tick: (ms: number) => (now += ms), now: () => now };
}

describe('request signing', () => {
  it('signs canonicalJson of method, path, node, to, ts, nonce, body_sha256', () => {
    const h = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, 1_800_000_000_000);
    expect(Object.keys(h)).toEqual(['authorization']);
    expect(h.authorization).toMatch(
      /^Hearth node=ed25519:[A-Za-z0-9_-]{43}, ts=1800000000000, nonce=[A-Za-z0-9_-]{22}, sig=ed25519:[A-Za-z0-9_-]{86}$/,
    );
    expect(auth(h).node).toBe(alice.nodeIdFull);
    const fields = {
      method: 'POST',
      path: '/bus/v1/call',
      node: alice.nodeIdFull,
      to: bob.nodeIdFull,
      ts: 1_800_000_000_000,
      nonce: auth(h).nonce,
      body_sha256: createHash('sha256').update(body).digest('hex'),
    };
    const bytes = signedRequestBytes(fields);
    expect(new TextDecoder().decode(bytes)).toBe(canonicalJson(fields));
    expect(new TextDecoder().decode(bytes).startsWith('{"body_sha256":')).toBe(true);
    expect(verifyBytes(alice.nodeIdFull, bytes, auth(h).sig)).toBe(true);
  });

  it('accepts a fresh request once and refuses its replay', () => {
    const s = setup();
    const h = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, s.now());
    expect(s.v.verify(s.req(h))).toBe(alice.nodeIdFull);
    s.tick(30_000);
    expect(() => s.v.verify(s.req(h))).toThrow(
      expect.objectContaining({ code: 'invalid_signature', message: expect.stringMatching(/replayed/) as unknown }),
    );
    expect(s.failures).toEqual(['replayed']);
  });

  it('refuses stale and future timestamps beyond 60 s, accepts within', () => {
    const s = setup();
    const old = signRequest(
      alice,
      { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body },
      s.now() - 60_001,
    );
    const future = signRequest(
      alice,
      { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body },
      s.now() + 60_001,
    );
    const edge = signRequest(
      alice,
      { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body },
      s.now() - 59_000,
    );
    expect(() => s.v.verify(s.req(old))).toThrow(/stale/);
    expect(() => s.v.verify(s.req(future))).toThrow(/stale/);
    expect(s.v.verify(s.req(edge))).toBe(alice.nodeIdFull);
    expect(s.failures).toEqual(['stale', 'stale']);
  });

  it('refuses malformed headers, another path/method/body, another recipient and a forged signer', () => {
    const s = setup();
    const h = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, s.now());
    const bad: Array<[Record<string, string>, object]> = [
      [{}, {}],
      [patched(h, { node: 'ed25519:ABCD-EFGH-JKLM-NPQR' }), {}],
      [patched(h, { ts: 'soon' }), {}],
      [patched(h, { nonce: 'short' }), {}],
      [{ authorization: `Bearer ${h.authorization}` }, {}],
      [h, { path: '/bus/v1/call?x=1' }],
      [h, { method: 'PUT' }],
      [h, { body: new Uint8Array([1]) }],
      [patched(h, { node: generateKeyPair().nodeIdFull }), {}],
      [signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: alice.nodeIdFull, body }, s.now()), {}],
    ];
    for (const [headers, over] of bad)
      expect(() => s.v.verify(s.req(headers, over))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(s.failures.slice(0, 5)).toEqual(Array(5).fill('malformed'));
    expect(s.failures.slice(5)).toEqual(Array(5).fill('bad_signature'));
    // None of the refused requests burned the genuine nonce.
    expect(s.v.verify(s.req(h))).toBe(alice.nodeIdFull);
  });

  it('the nonce cache forgets buckets older than the window and stays bounded', () => {
    const c = new NonceCache(60_000, 15_000, 3);
    expect(c.add('a', 0, 0)).toBe('ok');
    expect(c.add('a', 0, 1000)).toBe('replayed');
    expect(c.add('b', 0, 1000)).toBe('ok');
    expect(c.add('c', 0, 1000)).toBe('ok');
    expect(c.add('d', 0, 1000)).toBe('full');
    expect(c.count).toBe(3);
    expect(c.add('d', 80_000, 80_000)).toBe('ok');
    expect(c.count).toBe(1);
  });
});
