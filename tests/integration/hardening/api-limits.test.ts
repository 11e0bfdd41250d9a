/** Issue 15 items 6 and 7: the local API refuses oversized bodies without buffering them; a busy API port gets a clear message. */
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HearthError } from '../../../src-main/common';
import { API_BODY_LIMIT_BYTES } from '../../../src-main/runtime/api/server';
import { createMesh, type Mesh } from '../../support/mesh';

let mesh: Mesh;
beforeAll(async () => {
  mesh = await createMesh(1);
}, 60_000);
afterAll(async () => {
  await mesh?.close();
});

/** Streams `total` bytes (chunked, no content-length) at the API; resolves with the status and how much was sent. */
function streamBody(
  port: number,
  path: string,
  token: string,
  total: number,
): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let status = 0;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => resolve({ status, sent }));
      },
    );
    req.on('error', (err) => (status ? resolve({ status, sent }) : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (sent < total && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe('local API body limit', () => {
  it('a 100 MB body with the token is refused with 413 long before it is all sent', async () => {
    const node = mesh.nodes[0].node;
    const r = await streamBody(node.apiPort, '/trpc/marketPost', node.apiToken, 100 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(32 * 1024 * 1024);
    // The node still serves the household afterwards.
    expect(node.api.status().node_id).toBe(node.kp.nodeIdFull);
    const health = await fetch(`http://127.0.0.1:${node.apiPort}/trpc/status`, {
      headers: { authorization: `Bearer ${node.apiToken}` },
    });
    expect(health.status).toBe(200);
  }, 60_000);

  it('a declared content-length over the limit is refused at once', async () => {
    const node = mesh.nodes[0].node;
    const res = await fetch(`http://127.0.0.1:${node.apiPort}/api/v1/ops/files.get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.apiToken}`, 'content-type': 'application/json' },
      body: 'x'.repeat(API_BODY_LIMIT_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });
});

describe('local API port already in use', () => {
  let blocker: Server;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it('starting a node on it fails with a HearthError naming the port, not an unexpected EADDRINUSE', async () => {
    const busy = (blocker.address() as { port: number }).port;
    const err = await mesh.nodes[0].restart({ apiPort: busy }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HearthError);
    expect((err as Error).message).toMatch(new RegExp(`${busy}.*already in use`));
    // It starts again on a free port.
    const again = await mesh.nodes[0].restart({ apiPort: 0 });
    expect(again.apiPort).toBeGreaterThan(0);
  }, 60_000);
});
