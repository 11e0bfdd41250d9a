/**
 * Abuse suite, local API (the household's own port: CLI, web UI): no token, a wrong token, an
 * oversized or malformed body, slow connections. Each gets its documented code and the household
 * is still served afterwards. Loopback only; every loop is bounded.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_BODY_LIMIT_BYTES } from '../../src-main/runtime/api/server';
import { createMesh, type Mesh } from '../support/mesh';

let mesh: Mesh;
beforeAll(async () => {
  mesh = await createMesh(1);
}, 60_000);
afterAll(async () => {
  await mesh?.close();
});

const node = () => mesh.nodes[0].node;
const url = (path: string) => `http://127.0.0.1:${node().apiPort}${path}`;
const auth = () => ({ authorization: `Bearer ${node().apiToken}` });

async function householdStillServed(): Promise<void> {
  const res = await fetch(url('/trpc/status'), { headers: auth() });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { result: { data: { node_id: string } } };
  expect(body.result.data.node_id).toBe(node().kp.nodeIdFull);
}

describe('abuse: the local API of a live node', () => {
  it('no token and a wrong token (same length and not): 401, for tRPC, streams and ops', async () => {
    const wrong = node().apiToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${wrong}` },
      { authorization: 'Bearer x' },
      { authorization: node().apiToken },
    ];
    for (const headers of variants) {
      for (const [method, path] of [
        ['GET', '/trpc/status'],
        ['POST', '/trpc/marketPost'],
        ['POST', '/api/v1/stream'],
        ['POST', '/api/v1/ops/files.get'],
      ] as const) {
        const res = await fetch(url(path), {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          body: method === 'POST' ? '{}' : undefined,
        });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        await res.body?.cancel();
      }
    }
    await householdStillServed();
  });

  it('oversized body: 413 payload_too_large; malformed bodies: 400', async () => {
    const big = await fetch(url('/trpc/marketPost'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: 'x'.repeat(API_BODY_LIMIT_BYTES + 1),
    });
    expect(big.status).toBe(413);
    await big.body?.cancel();
    for (const [path, body] of [
      ['/trpc/marketPost', '{"category": "offer", '],
      ['/api/v1/stream', 'not json'],
      ['/api/v1/ops/files.get', '[1,2,3]'],
      ['/trpc/marketPost', JSON.stringify({ category: 'offer', title: 'x'.repeat(10_000) })],
    ] as const) {
      const res = await fetch(url(path), {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body,
      });
      expect(res.status, `${path} ${body.slice(0, 40)}`).toBe(400);
      await res.body?.cancel();
    }
    await householdStillServed();
  });

  it('slow connections: 40 half-open or silent sockets do not stop the household', async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const s = connect(node().apiPort, '127.0.0.1');
        s.on('error', () => {});
        if (i % 2) s.write(`POST /trpc/marketPost HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"cat`);
        sockets.push(s);
      }
      await householdStillServed();
      const post = await fetch(url('/trpc/marketPost'), {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify({ category: 'offer', title: 'Still here' }),
      });
      expect(post.status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

/** A raw HTTP/1.1 request with exactly these headers (fetch would set Host itself). */
function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    const lines = [
      `${method} ${path} HTTP/1.1`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      '',
      body,
    ];
    s.write(lines.join('\r\n'));
  });
}

describe("abuse: a web page in the household's browser (DNS rebinding, cross-site posts)", () => {
  it('a foreign Host gets 403 on every route, /health and the web UI included, even with the token', async () => {
    for (const path of ['/health', '/', '/trpc/status']) {
      expect(await rawRequest(node().apiPort, 'GET', path, { host: 'evil.example', ...auth() }), path).toBe(403);
      expect(await rawRequest(node().apiPort, 'GET', path, { host: `evil.example:${node().apiPort}` }), path).toBe(403);
    }
    expect(await rawRequest(node().apiPort, 'GET', '/health', { host: `127.0.0.1:${node().apiPort}` })).toBe(200);
    await householdStillServed();
  });

  it('a state-changing request with a foreign Origin gets 403, even with the token; the same Origin passes', async () => {
    const host = `127.0.0.1:${node().apiPort}`;
    const body = JSON.stringify({ category: 'offer', title: 'From a web page' });
    const headers = { host, ...auth(), 'content-type': 'application/json' };
    expect(
      await rawRequest(node().apiPort, 'POST', '/trpc/marketPost', { ...headers, origin: 'http://evil.example' }, body),
    ).toBe(403);
    expect(await rawRequest(node().apiPort, 'POST', '/trpc/marketPost', { ...headers, origin: 'null' }, body)).toBe(
      403,
    );
    expect(
      await rawRequest(node().apiPort, 'POST', '/trpc/marketPost', { ...headers, origin: `http://${host}` }, body),
    ).toBe(200);
    const titles = (await node().api.marketList({})).posts.map((p) => p.title);
    expect(titles.filter((t) => t === 'From a web page')).toHaveLength(1);
    await householdStillServed();
  });
});
