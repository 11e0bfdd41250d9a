import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCapability } from '../../../src-main/runtime/bus';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { signRequest } from '../../../src-main/runtime/transport';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { rawHttps, wireError } from '../transport/helpers';

describe('forged and replayed requests against a real node', () => {
  let mesh: Mesh;
  let calls = 0;
  beforeAll(async () => {
    mesh = await createMesh(2);
    const alice = mesh.byName('alice').node;
    alice.bus.registerCapability(
      defineCapability({
        name: 'test.count',
        version: [1, 0],
        request_schema: { type: 'object' },
        response_schema: null,
      }),
      () => Promise.resolve({ n: ++calls }),
    );
    await waitFor(() => mesh.byName('bob').node.api.status().peers.length === 1, 15_000, 'bob to see alice');
  }, 60_000);
  afterAll(async () => mesh?.close());

  const body = JSON.stringify({ capability: 'test.count', version: '1.0', body: {} });

  it('runs a properly signed call from a member exactly once, and refuses its replay', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    const headers = {
      'content-type': 'application/json',
      ...signRequest(bob.kp, { method: 'POST', path: '/bus/v1/call', to: alice.kp.nodeIdFull, body }),
    };
    const first = await rawHttps(alice.transportPort, 'POST', '/bus/v1/call', headers, body);
    expect(first.status).toBe(200);
    const replay = await rawHttps(alice.transportPort, 'POST', '/bus/v1/call', headers, body);
    expect(replay.status).toBe(401);
    expect(wireError(replay).code).toBe('invalid_signature');
    expect(calls).toBe(1);
  });

  it('refuses a forged signature, a stale timestamp and a non-member, running nothing', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    const before = calls;
    const forged = {
      'content-type': 'application/json',
      ...signRequest(bob.kp, { method: 'POST', path: '/bus/v1/call', to: alice.kp.nodeIdFull, body: '{"other":1}' }),
    };
    expect((await rawHttps(alice.transportPort, 'POST', '/bus/v1/call', forged, body)).status).toBe(401);
    const stale = {
      'content-type': 'application/json',
      ...signRequest(
        bob.kp,
        { method: 'POST', path: '/bus/v1/call', to: alice.kp.nodeIdFull, body },
        Date.now() - 10 * 60_000,
      ),
    };
    expect((await rawHttps(alice.transportPort, 'POST', '/bus/v1/call', stale, body)).status).toBe(401);
    const stranger = generateKeyPair();
    const outsider = {
      'content-type': 'application/json',
      ...signRequest(stranger, { method: 'POST', path: '/bus/v1/call', to: alice.kp.nodeIdFull, body }),
    };
    const refused = await rawHttps(alice.transportPort, 'POST', '/bus/v1/call', outsider, body);
    expect(refused.status).toBe(403);
    expect(wireError(refused).code).toBe('forbidden');
    const sync = await rawHttps(
      alice.transportPort,
      'GET',
      '/sync/v1/heads',
      signRequest(stranger, { method: 'GET', path: '/sync/v1/heads', to: alice.kp.nodeIdFull, body: '' }),
    );
    expect(sync.status).toBe(403);
    expect(calls).toBe(before);
  });
});
