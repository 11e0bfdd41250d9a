/**
 * Who gets into the local API: the household's token survives a restart (stored 0600), a foreign
 * Host (DNS rebinding) or Origin (another web page) gets nothing, and phones on the LAN listener
 * get in only with their own paired token, only while phone access is on.
 */
import { request } from 'node:http';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../support/mesh';

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function raw(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const noHost = opts.headers?.host === '';
    const headers = { ...opts.headers };
    if (noHost) delete headers.host;
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, setHost: !noHost },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(opts.body);
  });
}

describe('local API access', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await createMesh(1, { noCommunity: true });
  }, 30_000);
  afterAll(async () => {
    await mesh?.close();
  });

  it('keeps the token across a restart, in a 0600 file', async () => {
    const m = mesh.byName('alice');
    const before = m.node.apiToken;
    expect(before.length).toBeGreaterThanOrEqual(32);
    expect(statSync(m.node.files.apiToken).mode & 0o777).toBe(0o600);
    await m.restart();
    expect(m.node.apiToken).toBe(before);
    const ok = await raw(m.node.apiPort, '/trpc/status', {
      headers: { host: `127.0.0.1:${m.node.apiPort}`, authorization: `Bearer ${before}` },
    });
    expect(ok.status).toBe(200);
  });

  it('answers without a token with how to get in, not a bare error', async () => {
    const port = mesh.byName('alice').node.apiPort;
    const r = await raw(port, '/trpc/status', { headers: { host: `localhost:${port}` } });
    expect(r.status).toBe(401);
    expect((JSON.parse(r.body) as { error: { message: string } }).error.message).toContain('hearthnet open');
  });

  it('gives a foreign Host nothing, even with the right token', async () => {
    const { apiPort: port, apiToken: token } = mesh.byName('alice').node;
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost:${port + 1}`, '']) {
      const r = await raw(port, '/trpc/status', { headers: { host, authorization: `Bearer ${token}` } });
      // No Host at all: node's HTTP server itself answers 400 before our code runs.
      expect(r.status, host).toBe(host ? 403 : 400);
      expect(r.body).not.toContain('node_id');
    }
    const health = await raw(port, '/health', { headers: { host: `evil.example:${port}` } });
    expect(health.status).toBe(403);
  });

  it('refuses state-changing requests from another origin and never grants CORS', async () => {
    const { apiPort: port, apiToken: token } = mesh.byName('alice').node;
    const post = (origin: string | undefined) =>
      raw(port, '/trpc/onboarding.createCommunity', {
        method: 'POST',
        headers: {
          host: `127.0.0.1:${port}`,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(origin ? { origin } : {}),
        },
        body: JSON.stringify({ name: 'Evil Street', whoInvites: 'everyone' }),
      });
    for (const origin of ['http://evil.example', `http://localhost:${port + 1}`, 'null', `https://127.0.0.1:${port}`]) {
      const r = await post(origin);
      expect(r.status, origin).toBe(403);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(mesh.byName('alice').node.community()).toBeNull();
    // Same origin (the app's own page) is fine.
    const ok = await post(`http://127.0.0.1:${port}`);
    expect(ok.status).toBe(200);
    expect(mesh.byName('alice').node.community()?.state.name()).toBe('Evil Street');
  });

  it('phones: LAN listener only when turned on; paired token in, unpaired out; survives a restart', async () => {
    const node = mesh.byName('alice').node;
    const api = node.api.onboarding;
    expect(api.phoneAccess().enabled).toBe(false);
    const on = await api.setPhoneAccess({ enabled: true });
    expect(on.enabled).toBe(true);
    const lanPort = Number(new URL(on.urls[0] ?? `http://127.0.0.1:${0}/`).port) || undefined;
    const pairing = await api.pairPhone();
    const url = new URL(pairing.url);
    const port = Number(url.port);
    if (lanPort) expect(port).toBe(lanPort);
    const code = new URLSearchParams(url.hash.slice(1)).get('pair')!;
    const lanHost = `${url.hostname}:${port}`;
    const status = (token?: string, host = lanHost) =>
      raw(port, '/trpc/status', { headers: { host, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

    expect((await status()).status).toBe(401);
    expect((await status(node.apiToken)).status).toBe(401); // the household token is not for the LAN
    const pairReq = (c: string, origin = `http://${lanHost}`) =>
      raw(port, '/pair', {
        method: 'POST',
        headers: { host: lanHost, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ code: c, name: 'Kitchen phone' }),
      });
    expect((await pairReq(code, 'http://evil.example')).status).toBe(403);
    const paired = JSON.parse((await pairReq(code)).body) as { id: string; token: string };
    expect(paired.token).toMatch(/^phone\./);
    expect((await pairReq(code)).status).toBe(403); // single use
    expect((await status(paired.token)).status).toBe(200);
    expect((await status(paired.token, `evil.example:${port}`)).status).toBe(403);
    expect((await status(`${paired.token.slice(0, -1)}x`)).status).toBe(401);
    // A phone may use the app but not change who may.
    const r = await raw(port, '/trpc/onboarding.pairPhone', {
      method: 'POST',
      headers: { host: lanHost, authorization: `Bearer ${paired.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(403);
    expect(api.phoneAccess().phones.map((p) => p.name)).toEqual(['Kitchen phone']);

    // Phone access and its pairings survive a restart (the listener comes back on its own).
    const m = mesh.byName('alice');
    await m.restart();
    const after = m.node.api.onboarding.phoneAccess();
    expect(after.enabled).toBe(true);
    expect(after.phones.map((p) => p.id)).toEqual([paired.id]);
    const newPort = Number(new URL(after.urls[0]).port);
    const again = await raw(newPort, '/trpc/status', {
      headers: { host: `${url.hostname}:${newPort}`, authorization: `Bearer ${paired.token}` },
    });
    expect(again.status).toBe(200);
    const api2 = m.node.api.onboarding;
    api2.forgetPhone({ id: paired.id });
    const gone = await raw(newPort, '/trpc/status', {
      headers: { host: `${url.hostname}:${newPort}`, authorization: `Bearer ${paired.token}` },
    });
    expect(gone.status).toBe(401);
    await api2.setPhoneAccess({ enabled: false });
    await expect(
      raw(newPort, '/trpc/status', {
        headers: { host: `${url.hostname}:${newPort}`, authorization: `Bearer ${paired.token}` },
      }),
    ).rejects.toThrow();
  });

  it('a forgotten phone is refused at once, and turning access off closes the listener', async () => {
    const node = mesh.byName('alice').node;
    const api = node.api.onboarding;
    await api.setPhoneAccess({ enabled: true });
    const pairing = new URL((await api.pairPhone()).url);
    const port = Number(pairing.port);
    const host = `${pairing.hostname}:${port}`;
    const code = new URLSearchParams(pairing.hash.slice(1)).get('pair')!;
    const pairReq = await raw(port, '/pair', {
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    const paired = JSON.parse(pairReq.body) as { id: string; token: string };
    const status = (token?: string) =>
      raw(port, '/trpc/status', { headers: { host, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    expect((await status(paired.token)).status).toBe(200);
    api.forgetPhone({ id: paired.id });
    expect((await status(paired.token)).status).toBe(401);
    await api.setPhoneAccess({ enabled: false });
    await expect(status(paired.token)).rejects.toThrow();
  });
});
