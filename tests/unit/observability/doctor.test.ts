import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig, resolvePaths, type Config } from '../../../src-main/runtime/config';
import { generateKeyPair, saveKeyPair } from '../../../src-main/runtime/identity';
import {
  Doctor,
  ObservabilityError,
  registerStandardChecks,
  STANDARD_CHECK_NAMES,
  type DoctorContext,
} from '../../../src-main/runtime/observability';

let dir: string;
let env: Record<string, string>;
let config: Config;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hn-doctor-'));
  env = { HEARTHNET_HOME: dir, HOME: dir };
  config = resolvePaths(defaultConfig(), { env });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ctxOf = (over: Partial<DoctorContext> = {}): DoctorContext => ({ config, env, ...over });
const with_ = <S extends keyof Config>(section: S, patch: Partial<Config[S]>): Config => ({
  ...config,
  [section]: { ...config[section], ...patch },
});

function standard(): Doctor {
  const d = new Doctor({ timeoutMs: 3_000 });
  registerStandardChecks(d, { multicastInterface: '127.0.0.1' });
  return d;
}

function holdUdp(): Promise<{ sock: Socket; port: number }> {
  return new Promise((resolve) => {
    const sock = createSocket({ type: 'udp4', reuseAddr: false });
    sock.bind(0, '0.0.0.0', () => resolve({ sock, port: sock.address().port }));
  });
}

function holdTcp(): Promise<{ srv: Server; port: number }> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen({ host: '127.0.0.1', port: 0 }, () => resolve({ srv, port: (srv.address() as { port: number }).port }));
  });
}

describe('Doctor', () => {
  it('guards throwing checks, bounds slow ones, and names unknown checks', async () => {
    const d = new Doctor({ timeoutMs: 50 });
    d.register('throws', () => {
      throw new Error('kaboom');
    });
    let aborted = false;
    d.register(
      'hangs',
      (_ctx, signal) =>
        new Promise(() =>
          signal.addEventListener('abort', () => {
            aborted = true;
          }),
        ),
    );
    d.register('fine', () => Promise.resolve({ ok: true, detail: 'all good' }));
    const results = await d.runAll(ctxOf());
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['throws', false],
      ['hangs', false],
      ['fine', true],
    ]);
    expect(results[0].detail).toContain('kaboom');
    expect(results[1].detail).toContain('50 ms');
    expect(aborted).toBe(true);
    expect(results[2]).toMatchObject({ detail: 'all good', fix: null });
    await expect(d.runOne('nope', ctxOf())).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof ObservabilityError && e.code === 'unknown_check' && e.message.includes('throws, hangs, fine'),
    );
    expect(() => d.register('fine', () => ({ ok: true, detail: '' }))).toThrow(ObservabilityError);
  });

  it('registers the standard checks in order', () => {
    expect(standard().names()).toEqual([...STANDARD_CHECK_NAMES]);
  });
});

describe('standard checks', () => {
  it('keys_present and keys_loadable fail in an empty HEARTHNET_HOME and pass after saveKeyPair', async () => {
    const d = standard();
    const before = await d.runOne('keys_present', ctxOf());
    expect(before.ok).toBe(false);
    expect(before.fix).toContain('hearthnet init');
    expect((await d.runOne('keys_loadable', ctxOf())).ok).toBe(false);
    saveKeyPair(generateKeyPair(), join(dir, 'keys'));
    expect((await d.runOne('keys_present', ctxOf())).ok).toBe(true);
    expect((await d.runOne('keys_loadable', ctxOf())).ok).toBe(true);
  });

  it('keys_loadable explains bad permissions and damaged keys', async () => {
    const d = standard();
    saveKeyPair(generateKeyPair(), join(dir, 'keys'));
    chmodSync(join(dir, 'keys', 'node.key'), 0o644);
    const perm = await d.runOne('keys_loadable', ctxOf());
    expect(perm.ok).toBe(false);
    expect(perm.fix).toContain('chmod 600');
    writeFileSync(join(dir, 'keys', 'node.key'), 'not a key\n', { mode: 0o600 });
    chmodSync(join(dir, 'keys', 'node.key'), 0o600);
    const bad = await d.runOne('keys_loadable', ctxOf());
    expect(bad.ok).toBe(false);
    expect(bad.fix).toContain('backup');
  });

  it('community_present uses community_id or the state callback', async () => {
    const d = standard();
    expect((await d.runOne('community_present', ctxOf())).ok).toBe(false);
    expect((await d.runOne('community_present', ctxOf({ communityName: () => null }))).ok).toBe(false);
    expect((await d.runOne('community_present', ctxOf({ communityName: () => 'Elm Street' }))).ok).toBe(true);
    expect(
      (await d.runOne('community_present', { config: with_('community', { community_id: 'ed25519:x' }) })).ok,
    ).toBe(true);
  });

  it('event_log_writable writes in the state dir and leaves nothing behind', async () => {
    const d = standard();
    const ok = await d.runOne('event_log_writable', ctxOf());
    expect(ok.ok).toBe(true);
    expect(readdirSync(join(dir, 'state'))).toEqual([]);
    writeFileSync(join(dir, 'afile'), 'x');
    const bad = await d.runOne('event_log_writable', {
      config: with_('community', { state_dir: join(dir, 'afile', 'state') }),
    });
    expect(bad.ok).toBe(false);
    expect(bad.fix).toContain('folder');
  });

  it('disk_space passes on the temp disk and fails under an impossible threshold', async () => {
    expect((await standard().runOne('disk_space', ctxOf())).ok).toBe(true);
    const strict = new Doctor();
    registerStandardChecks(strict, { disk: { minFreeBytes: Number.MAX_SAFE_INTEGER } });
    const r = await strict.runOne('disk_space', ctxOf());
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('GiB free');
  });

  it('clock_sanity: year and neighbour skew', async () => {
    const d = standard();
    const now = Date.parse('2026-05-26T12:00:00Z');
    expect((await d.runOne('clock_sanity', ctxOf({ now: () => now }))).ok).toBe(true);
    expect((await d.runOne('clock_sanity', ctxOf({ now: () => Date.parse('2001-01-01T00:00:00Z') }))).ok).toBe(false);
    const peers = (skews: number[]) => () => skews.map((s, i) => ({ node_id: `n${i}`, skew_ms: s }));
    const oneOff = await d.runOne(
      'clock_sanity',
      ctxOf({ now: () => now, peerClocks: peers([1000, -2000, 3_600_000]) }),
    );
    expect(oneOff.ok).toBe(true);
    expect(oneOff.detail).toContain('n2');
    expect(
      (await d.runOne('clock_sanity', ctxOf({ now: () => now, peerClocks: peers([600_000, 700_000, 0]) }))).ok,
    ).toBe(false);
  });

  it('recent_error_rate counts error lines of the last hour', async () => {
    const d = standard();
    const now = Date.parse('2026-05-26T12:00:00Z');
    mkdirSync(join(dir, 'logs'));
    const line = (min: number, level: string) =>
      JSON.stringify({ ts: new Date(now - min * 60_000).toISOString(), level, logger: 'x', msg: 'm' });
    const write = (ls: string[]) =>
      writeFileSync(join(dir, 'logs', 'hearthnet-2026-05-26.jsonl'), ls.join('\n') + '\n');
    expect((await d.runOne('recent_error_rate', ctxOf({ now: () => now }))).detail).toContain('no log lines');
    write([
      ...Array.from({ length: 30 }, () => line(5, 'info')),
      line(10, 'error'),
      line(90, 'error'),
      line(91, 'error'),
    ]);
    const ok = await d.runOne('recent_error_rate', ctxOf({ now: () => now }));
    expect(ok.ok).toBe(true); // 1 of 31 in the last hour (old errors ignored)
    write([...Array.from({ length: 10 }, () => line(5, 'info')), line(1, 'error')]);
    const bad = await d.runOne('recent_error_rate', ctxOf({ now: () => now }));
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain('1 of 11');
  });

  it('mdns_socket passes with reuseAddr and fails when the port is held exclusively', async () => {
    expect((await standard().runOne('mdns_socket', ctxOf())).ok).toBe(true);
    const { sock, port } = await holdUdp();
    try {
      const d = new Doctor();
      registerStandardChecks(d, { mdnsPort: port });
      const r = await d.runOne('mdns_socket', ctxOf());
      expect(r.ok).toBe(false);
      expect(r.detail).toContain('EADDRINUSE');
    } finally {
      sock.close();
    }
  });

  it('udp_multicast joins the group on loopback, fails when the port is held', async () => {
    const d = standard();
    const free = await holdUdp();
    free.sock.close();
    expect((await d.runOne('udp_multicast', { config: with_('discovery', { udp_port: free.port }) })).ok).toBe(true);
    const { sock, port } = await holdUdp();
    try {
      const r = await d.runOne('udp_multicast', { config: with_('discovery', { udp_port: port }) });
      expect(r.ok).toBe(false);
      expect(r.fix).toContain('udp_port');
    } finally {
      sock.close();
    }
    expect((await d.runOne('udp_multicast', { config: with_('discovery', { udp_enabled: false }) })).ok).toBe(true);
  });

  it('transport_port: free, held by another program, held by us, or 0', async () => {
    const d = standard();
    const { srv, port } = await holdTcp();
    try {
      const cfg = with_('transport', { host: '127.0.0.1', port });
      const taken = await d.runOne('transport_port', { config: cfg });
      expect(taken.ok).toBe(false);
      expect(taken.fix).toContain('port = 0');
      expect((await d.runOne('transport_port', { config: cfg, ownTransportPort: port })).ok).toBe(true);
    } finally {
      await new Promise((r) => srv.close(r));
    }
    expect((await d.runOne('transport_port', { config: with_('transport', { host: '127.0.0.1', port }) })).ok).toBe(
      true,
    );
    expect((await d.runOne('transport_port', { config: with_('transport', { port: 0 }) })).ok).toBe(true);
  });
});
