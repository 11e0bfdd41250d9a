import { afterEach, describe, expect, it } from 'vitest';
import { CallError } from '../../../src-main/common';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  formatAuthorization,
  generateSelfSignedCert,
  parseAuthorization,
  RateLimiter,
  refusalReason,
  signRequest,
} from '../../../src-main/runtime/transport';
import { rawHttps, wireError, startNode, type TestNode } from './helpers';

const nodes: TestNode[] = [];
async function pair(extraB: Parameters<typeof startNode>[0] = {}) {
  const a = await startNode();
  const b = await startNode(extraB);
  nodes.push(a, b);
  await a.client.learnPeer(b.address.endpoint);
  return { a, b };
}
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function callErr(p: Promise<unknown>): Promise<CallError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CallError);
  return e as CallError;
}

describe('signed bus calls between two real nodes', () => {
  it('a signed call reaches the handler with the verified caller and returns the result', async () => {
    const { a, b } = await pair();
    const r = (await a.client.call(b.address, 'test.echo', '1.0', { hello: 'bob' }, { traceId: 't-1' })) as Record<
      string,
      unknown
    >;
    expect(r).toEqual({ echo: { hello: 'bob' }, caller: a.kp.nodeIdFull, trace_id: 't-1' });
    expect(b.bus.calls).toHaveLength(1);
    // A second call reuses the keep-alive connection and still works.
    await a.client.call(b.address, 'test.echo', '1.0', { n: 2 });
    expect(b.bus.calls).toHaveLength(2);
  });

  it('learnPeer pins the fingerprint announced by the signed manifest', async () => {
    const { a, b } = await pair();
    expect(a.pins.expected(b.kp.nodeIdFull)).toBe(b.tls.fingerprint);
  });

  it('a replayed request (same nonce) is refused with invalid_signature and the handler is not invoked', async () => {
    const { a, b } = await pair();
    const body = JSON.stringify({ capability: 'test.echo', version: '1.0', body: {} });
    const headers = signRequest(a.kp, { method: 'POST', path: '/bus/v1/call', to: b.kp.nodeIdFull, body });
    const first = await rawHttps(b.server.port, 'POST', '/bus/v1/call', headers, body);
    expect(first.status).toBe(200);
    const again = await rawHttps(b.server.port, 'POST', '/bus/v1/call', headers, body);
    expect(again.status).toBe(401);
    expect(wireError(again).code).toBe('invalid_signature');
    expect(wireError(again).message).toMatch(/replayed/);
    expect(b.bus.calls).toHaveLength(1);
  });

  it('a stale timestamp is refused', async () => {
    const failures: string[] = [];
    const { a, b } = await pair({ onSignatureFailure: (r) => failures.push(r) });
    const body = JSON.stringify({ capability: 'test.echo', version: '1.0', body: {} });
    const headers = signRequest(
      a.kp,
      { method: 'POST', path: '/bus/v1/call', to: b.kp.nodeIdFull, body },
      Date.now() - 61_000,
    );
    const r = await rawHttps(b.server.port, 'POST', '/bus/v1/call', headers, body);
    expect(r.status).toBe(401);
    expect(wireError(r)).toMatchObject({ code: 'invalid_signature' });
    expect(wireError(r).message).toMatch(/stale/);
    expect(failures).toEqual(['stale']);
    expect(b.bus.calls).toHaveLength(0);
  });

  it('a forged signature, a tampered body, a request meant for another node and an unsigned request are refused', async () => {
    const { a, b } = await pair();
    const body = JSON.stringify({ capability: 'test.echo', version: '1.0', body: {} });
    const mallory = generateKeyPair();
    // Mallory signs but claims to be Alice.
    const byMallory = parseAuthorization(
      signRequest(mallory, { method: 'POST', path: '/bus/v1/call', to: b.kp.nodeIdFull, body }).authorization,
    )!;
    const forged = { authorization: formatAuthorization({ ...byMallory, node: a.kp.nodeIdFull }) };
    const tampered = signRequest(a.kp, { method: 'POST', path: '/bus/v1/call', to: b.kp.nodeIdFull, body });
    const elsewhere = signRequest(a.kp, { method: 'POST', path: '/bus/v1/call', to: mallory.nodeIdFull, body });
    for (const [h, b2] of [
      [forged, body],
      [tampered, body.replace('{}', '{"x":1}')],
      [elsewhere, body],
      [{}, body],
    ] as const) {
      const r = await rawHttps(b.server.port, 'POST', '/bus/v1/call', h, b2);
      expect(r.status).toBe(401);
      expect(wireError(r).code).toBe('invalid_signature');
      expect(JSON.stringify(r.json)).not.toMatch(/at .*\.ts/);
    }
    expect(b.bus.calls).toHaveLength(0);
  });

  it('a caller outside the community is refused with forbidden', async () => {
    const { a, b } = await pair({ isAllowed: () => false });
    const e = await callErr(a.client.call(b.address, 'test.echo', '1.0', {}));
    expect(e.code).toBe('forbidden');
    expect(e.message).toMatch(/only from members/);
    expect(refusalReason(e)).toBe('not_member');
    expect(e.reason).toBe('not_member');
    expect(b.bus.calls).toHaveLength(0);
  });

  it('a revoked caller is told it was removed', async () => {
    const { a, b } = await pair({ isAllowed: () => false, isRevoked: () => true });
    const e = await callErr(a.client.call(b.address, 'test.echo', '1.0', {}));
    expect(e.code).toBe('forbidden');
    expect(e.message).toMatch(/removed .*revoked/);
    expect(refusalReason(e)).toBe('revoked');
    expect(e.reason).toBe('revoked');
    expect(refusalReason(new Error("removed this caller's node (revoked)"))).toBeNull(); // only a peer's 403 counts
    expect(b.bus.calls).toHaveLength(0);
  });

  it('understands the refusal of an older peer that sends no reason (message only)', () => {
    const old = (message: string) => CallError.fromWire({ code: 'forbidden', message });
    expect(refusalReason(old("peer: the community removed this caller's node (revoked): …"))).toBe('revoked');
    expect(refusalReason(old('peer: this node accepts calls only from members of its community'))).toBe('not_member');
    // A reason, when present, wins over the text; an unknown one is no refusal we know.
    const withReason = new CallError('forbidden', "removed this caller's node (revoked)", { reason: 'other' });
    expect(refusalReason(withReason)).toBeNull();
  });

  it('a peer presenting another certificate than the pinned one is refused before the request is sent', async () => {
    const { a, b } = await pair();
    // Bob's node id now answers from a server with a different certificate.
    const impostor = await startNode({}, generateSelfSignedCert(b.kp), b.kp);
    nodes.push(impostor);
    const e = await callErr(
      a.client.call({ nodeId: b.address.nodeId, endpoint: impostor.address.endpoint }, 'test.echo', '1.0', {
        secret: 1,
      }),
    );
    expect(e.code).toBe('forbidden');
    expect(e.message).toMatch(/pinned/);
    expect(impostor.bus.calls).toHaveLength(0);
  });

  it('a peer with no pin is refused without connecting', async () => {
    const a = await startNode();
    const b = await startNode();
    nodes.push(a, b);
    const e = await callErr(a.client.call(b.address, 'test.echo', '1.0', {}));
    expect(e.code).toBe('forbidden');
    expect(b.bus.calls).toHaveLength(0);
  });

  it('plain HTTP reaches /health but not /bus', async () => {
    const { b } = await pair();
    const health = await fetch(`http://127.0.0.1:${b.server.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, node_id: b.kp.nodeIdFull });
    const bus = await fetch(`http://127.0.0.1:${b.server.port}/bus/v1/call`, { method: 'POST', body: '{}' });
    expect(bus.status).toBe(403);
    expect(((await bus.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(b.bus.calls).toHaveLength(0);
    const sync = await fetch(`http://127.0.0.1:${b.server.port}/sync/v1/heads`);
    expect(sync.status).toBe(403);
    const nf = await fetch(`http://127.0.0.1:${b.server.port}/nope`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('an oversize body gets 413 payload_too_large', async () => {
    const { a, b } = await pair({ bodyLimitBytes: 1024 });
    const e = await callErr(a.client.call(b.address, 'test.echo', '1.0', { big: 'x'.repeat(2048) }));
    expect(e.code).toBe('payload_too_large');
    expect(b.bus.calls).toHaveLength(0);
    // The client recovers: a small call still works.
    await a.client.call(b.address, 'test.echo', '1.0', { small: 1 });
    expect(b.bus.calls).toHaveLength(1);
  });

  it('malformed JSON (correctly signed) gets 400 bad_request', async () => {
    const { a, b } = await pair();
    const body = '{"capability": "test.echo", ';
    const r = await rawHttps(
      b.server.port,
      'POST',
      '/bus/v1/call',
      signRequest(a.kp, { method: 'POST', path: '/bus/v1/call', to: b.kp.nodeIdFull, body }),
      body,
    );
    expect(r.status).toBe(400);
    expect(wireError(r).code).toBe('bad_request');
    expect(b.bus.calls).toHaveLength(0);
  });

  it('an unknown capability error from the handler is mapped with its alternatives', async () => {
    const { a, b } = await pair();
    const e = await callErr(a.client.call(b.address, 'test.missing', '1.0', {}));
    expect(e.code).toBe('not_found');
    expect(e.altCapabilities).toEqual(['test.echo']);
  });

  it('the hard rate limit answers 429 capacity_exceeded with retry_after_ms', async () => {
    let t = 1_000_000;
    const limiter = new RateLimiter({ softPerCap: 2, hardPerCap: 3, now: () => t });
    const { a, b } = await pair({ rateLimiter: limiter });
    for (let i = 0; i < 3; i++) await a.client.call(b.address, 'test.echo', '1.0', { i });
    const e = await callErr(a.client.call(b.address, 'test.echo', '1.0', { i: 4 }));
    expect(e.code).toBe('capacity_exceeded');
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(b.bus.calls).toHaveLength(3);
    t += 1000;
    await a.client.call(b.address, 'test.echo', '1.0', { i: 5 });
    expect(b.bus.calls).toHaveLength(4);
  });

  it('a call that outlives its timeout fails with timeout and the handler sees the abort', async () => {
    const { a, b } = await pair();
    const started = Date.now();
    const e = await callErr(a.client.call(b.address, 'test.sleep', '1.0', { ms: 10_000 }, { timeoutMs: 300 }));
    expect(e.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect.poll(() => b.bus.calls[0]?.signal.aborted, { timeout: 3_000 }).toBe(true);
  });

  it('an unreachable peer is a partition', async () => {
    const { a, b } = await pair();
    await b.server.stop();
    const e = await callErr(a.client.call(b.address, 'test.echo', '1.0', {}, { timeoutMs: 2_000 }));
    expect(e.code).toBe('partition');
  });
});
