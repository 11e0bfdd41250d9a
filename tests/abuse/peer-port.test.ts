/**
 * Abuse suite, peer port: a live node (bob, a member of alice's community) is sent unsigned,
 * stale, replayed, forged, non-member, oversized and malformed requests and slow connections.
 * Each gets its documented code, and after each the node still serves members (alice's signed
 * call works). Loopback only; every loop is bounded.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/runtime/identity';
import { signRequest } from '../../src-main/runtime/transport';
import { FIRST_BYTE_TIMEOUT_MS } from '../../src-main/runtime/transport/server';
import { createMesh, waitFor, type Mesh } from '../support/mesh';
import { rawHttps, wireError } from '../integration/transport/helpers';

let mesh: Mesh;
beforeAll(async () => {
  mesh = await createMesh(2);
}, 90_000);
afterAll(async () => {
  await mesh?.close();
});

const PATH = '/bus/v1/call';
const CALL = JSON.stringify({ capability: 'market.list', version: '1.0', body: {} });
const bob = () => mesh.byName('bob').node;
const alice = () => mesh.byName('alice').node;

/** A signed request from `kp` to bob, optionally stamped at another time. */
function signed(kp: { nodeIdFull: string } & Parameters<typeof signRequest>[0], body = CALL, nowMs = Date.now()) {
  return signRequest(kp, { method: 'POST', path: PATH, to: bob().kp.nodeIdFull, body }, nowMs);
}

/** Alice's ordinary signed call to bob still works. */
async function membersStillServed(): Promise<void> {
  const r = (await alice().client.call(
    {
      nodeId: bob().kp.nodeIdFull,
      endpoint: { transport: 'https', host: '127.0.0.1', port: bob().transportPort },
    },
    'market.list',
    '1.0',
    {},
  )) as { posts: unknown[] };
  expect(Array.isArray(r.posts)).toBe(true);
}

describe('abuse: the peer port of a live node', () => {
  it('a member is served (baseline)', async () => {
    await waitFor(
      async () => {
        await membersStillServed();
        return true;
      },
      30_000,
      'alice reaching bob',
    );
  });

  it('unsigned: 401 invalid_signature', async () => {
    const r = await rawHttps(bob().transportPort, 'POST', PATH, {}, CALL);
    expect(r.status).toBe(401);
    expect(wireError(r).code).toBe('invalid_signature');
    await membersStillServed();
  });

  it('stale (signed 10 minutes ago): 401', async () => {
    const r = await rawHttps(bob().transportPort, 'POST', PATH, signed(alice().kp, CALL, Date.now() - 600_000), CALL);
    expect(r.status).toBe(401);
    expect(wireError(r).message).toMatch(/stale/);
    await membersStillServed();
  });

  it('replayed: the first copy is served, the second is 401', async () => {
    const headers = signed(alice().kp);
    const first = await rawHttps(bob().transportPort, 'POST', PATH, headers, CALL);
    expect(first.status).toBe(200);
    const again = await rawHttps(bob().transportPort, 'POST', PATH, headers, CALL);
    expect(again.status).toBe(401);
    expect(wireError(again).message).toMatch(/replayed/);
    await membersStillServed();
  });

  it("forged (alice's id, a stranger's signature) and a body changed after signing: 401", async () => {
    const stranger = generateKeyPair();
    const forged = signed(stranger).authorization.replace(stranger.nodeIdFull, alice().kp.nodeIdFull);
    const r1 = await rawHttps(bob().transportPort, 'POST', PATH, { authorization: forged }, CALL);
    expect(r1.status).toBe(401);
    const r2 = await rawHttps(bob().transportPort, 'POST', PATH, signed(alice().kp), CALL.replace('{}', '{"limit":1}'));
    expect(r2.status).toBe(401);
    await membersStillServed();
  });

  it('a non-member, 300 correctly signed requests: each 403, never 429 for members, nothing run', async () => {
    const stranger = generateKeyPair();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 30; i++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => rawHttps(bob().transportPort, 'POST', PATH, signed(stranger), CALL)),
      );
      for (const r of batch) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect([...statuses.entries()]).toEqual([[403, 300]]);
    await membersStillServed();
  }, 60_000);

  it('oversized body (5 MiB): 413; malformed JSON: 400', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const r1 = await rawHttps(bob().transportPort, 'POST', PATH, signed(alice().kp, big), big).catch(
      (err: unknown) => ({ status: -1, json: String(err) }),
    );
    // The node may answer 413 and close before reading it all (then the client sees a reset).
    expect([413, -1]).toContain(r1.status);
    const bad = '{"capability": "market.list", ';
    const r2 = await rawHttps(bob().transportPort, 'POST', PATH, signed(alice().kp, bad), bad);
    expect(r2.status).toBe(400);
    expect(wireError(r2).code).toBe('bad_request');
    await membersStillServed();
  });

  it('slow connections: 40 that send nothing or one byte do not stop members; silent ones are closed after the first-byte timeout', async () => {
    const sockets: Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      const s = connect(bob().transportPort, '127.0.0.1');
      const k = sockets.push(s) - 1;
      closed[k] = false;
      s.on('error', () => {});
      s.on('close', () => (closed[k] = true));
      if (i % 2 === 1) s.write('P'); // plain HTTP, then nothing: Node's header timeout applies
    }
    try {
      await membersStillServed();
      const silent = sockets.map((_, i) => i).filter((i) => i % 2 === 0);
      await waitFor(() => silent.every((i) => closed[i]), FIRST_BYTE_TIMEOUT_MS + 10_000, 'silent sockets closed');
      await membersStillServed();
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 60_000);
});
