import { describe, expect, it } from 'vitest';
import { CallError } from '../../../src-main/common';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  formatAuthorization,
  newTraceId,
  parseAuthorization,
  RequestVerifier,
  signRequest,
  signRequestAsync,
  type SignatureFailureReason,
} from '../../../src-main/runtime/transport';

const alice = generateKeyPair();
const bob = generateKeyPair();
const body = new TextEncoder().encode('{"capability":"llm.chat"}');
const T0 = 1_800_000_000_000;

function setup() {
  let now = T0;
  const failures: SignatureFailureReason[] = [];
  const v = new RequestVerifier({
    selfNodeId: bob.nodeIdFull,
    now: () => now,
    onSignatureFailure: (r) => failures.push(r),
  });
  const req = (headers: Record<string, string>, b = body) => ({
    method: 'POST',
    path: '/bus/v1/call',
    body: b,
    header: (n: string) => headers[n],
  });
  return { v, failures, req, tick: (ms: number) => (now += ms) };
}

async function reason(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CallError);
  const e = err as CallError;
  return e.wireCode === 'invalid_signature' ? String((e.details as { reason?: string }).reason) : e.wireCode;
}

describe('async request signing (thread-pool ed25519)', () => {
  it('signRequestAsync headers verify with both verify and verifyAsync', async () => {
    const s = setup();
    const h = await signRequestAsync(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, T0);
    const h2 = await signRequestAsync(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, T0);
    expect(parseAuthorization(h.authorization)!.nonce).not.toBe(parseAuthorization(h2.authorization)!.nonce);
    expect(await s.v.verifyAsync(s.req(h))).toBe(alice.nodeIdFull);
    expect(s.v.verify(s.req(h2))).toBe(alice.nodeIdFull);
  });

  it('verifyAsync refuses replayed, stale, tampered, misaddressed and unsigned requests', async () => {
    const s = setup();
    const h = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, T0);
    expect(await s.v.verifyAsync(s.req(h))).toBe(alice.nodeIdFull);
    expect(await reason(s.v.verifyAsync(s.req(h)))).toBe('replayed');
    const other = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, T0);
    expect(await reason(s.v.verifyAsync(s.req(other, new TextEncoder().encode('{"x":1}'))))).toBe('bad_signature');
    // The forged attempt did not burn the nonce: the genuine request still passes.
    expect(await s.v.verifyAsync(s.req(other))).toBe(alice.nodeIdFull);
    const toAlice = signRequest(bob, { method: 'POST', path: '/bus/v1/call', to: alice.nodeIdFull, body }, T0);
    expect(await reason(s.v.verifyAsync(s.req(toAlice)))).toBe('bad_signature');
    const old = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, T0);
    s.tick(61_000);
    expect(await reason(s.v.verifyAsync(s.req(old)))).toBe('stale');
    expect(await reason(s.v.verifyAsync(s.req({})))).toBe('malformed');
    expect(
      await reason(
        s.v.verifyAsync(
          s.req({
            authorization: formatAuthorization({
              ...parseAuthorization(old.authorization)!,
              ts: String(T0 + 61_000),
              sig: 'ed25519:AAAA',
            }),
          }),
        ),
      ),
    ).toBe('bad_signature');
    expect(s.failures).toEqual(['replayed', 'bad_signature', 'bad_signature', 'stale', 'malformed', 'bad_signature']);
  });

  it('two concurrent copies of one request: exactly one is accepted', async () => {
    const s = setup();
    const h = signRequest(alice, { method: 'POST', path: '/bus/v1/call', to: bob.nodeIdFull, body }, T0);
    const results = await Promise.allSettled([s.v.verifyAsync(s.req(h)), s.v.verifyAsync(s.req(h))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('newTraceId', () => {
  it('makes distinct 26-character Crockford ULIDs that sort by time', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newTraceId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
