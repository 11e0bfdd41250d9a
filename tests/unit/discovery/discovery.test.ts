import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { memoryLogger } from '../../support/memory-logger';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPair, type Endpoint, type KeyPair, type NodeManifest } from '../../../src-main/runtime/identity';
import {
  DiscoveryService,
  livenessProbeMs,
  manifestRefreshMs,
  PeerRegistry,
  SIGHTING_RETRY_BASE_MS,
  type DiscoveryServiceInit,
} from '../../../src-main/runtime/discovery';
import { makeManifest, verifyManifestFor } from './fixtures';
import { DiscoveryError } from '../../../src-main/runtime/discovery';

const community = generateKeyPair().nodeIdFull;
const OFF = { mdns_enabled: false, udp_enabled: false, udp_multicast_group: '239.255.42.42', udp_port: 42424 };
const key = (e: Endpoint) => `${e.host}:${e.port}`;

let dir: string;
const services: DiscoveryService[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
  dir = mkdtempSync(join(tmpdir(), 'hn-disc-'));
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A fake network: endpoint -> manifest (or failure), recording every fetch with its time. */
function fakeNet() {
  const served = new Map<string, () => NodeManifest>();
  const calls: { at: number; where: string }[] = [];
  const fetchManifest = vi.fn((e: Endpoint) => {
    calls.push({ at: Date.now(), where: key(e) });
    const f = served.get(key(e));
    if (!f) return Promise.reject(new Error('ECONNREFUSED'));
    return Promise.resolve(f());
  });
  return { served, calls, fetchManifest };
}

function make(net: ReturnType<typeof fakeNet>, over: Partial<DiscoveryServiceInit> = {}) {
  const kp = generateKeyPair();
  const registry = new PeerRegistry(kp.nodeIdFull, community);
  const svc = new DiscoveryService({
    kp,
    registry,
    communityId: community,
    displayName: 'me',
    profile: 'hearth',
    port: 8443,
    config: OFF,
    fetchManifest: net.fetchManifest,
    verifyManifest: verifyManifestFor(community),
    knownPeersPath: join(dir, 'known-peers.json'),
    transport: 'http',
    log: memoryLogger('discovery').log,
    ...over,
  });
  services.push(svc);
  return { kp, registry, svc };
}

function peer(net: ReturnType<typeof fakeNet>, host: string, opts: { community?: string; kp?: KeyPair } = {}) {
  const kp = opts.kp ?? generateKeyPair();
  const ep = { transport: 'http', host, port: 8443 };
  net.served.set(key(ep), () => makeManifest(kp, opts.community ?? community, [ep], { now: Date.now() }));
  return { kp, ep };
}

/** known-peers.json as the registry saved it. */
function knownPeersFile(dir: string): { nodes: Record<string, { endpoints: unknown[]; display_name: string }> } {
  return JSON.parse(readFileSync(join(dir, 'known-peers.json'), 'utf8')) as {
    nodes: Record<string, { endpoints: unknown[]; display_name: string }>;
  };
}

describe('DiscoveryService', () => {
  it('turns a sighting into a verified registry entry and remembers the endpoint', async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const b = peer(net, '10.0.0.2');
    await svc.start();
    const rec = await svc.handleSighting({ nodeIdFull: b.kp.nodeIdFull, host: '10.0.0.2', port: 8443, source: 'udp' });
    expect(rec?.node_id).toBe(b.kp.nodeIdShort);
    expect(registry.get(b.kp.nodeIdFull)).toMatchObject({
      source: 'udp',
      endpoints: [b.ep],
      display_name: `node ${b.kp.nodeIdShort}`,
    });
    expect(registry.get(b.kp.nodeIdFull)?.manifest?.node_id).toBe(b.kp.nodeIdFull);
    const file = knownPeersFile(dir);
    expect(file.nodes[b.kp.nodeIdFull].endpoints[0]).toMatchObject(b.ep);
  });

  it("shows a neighbour's signed name on one line, without control or text-direction characters", async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const kp = generateKeyPair();
    const ep = { transport: 'http', host: '10.0.0.9', port: 8443 };
    net.served.set(key(ep), () =>
      makeManifest(kp, community, [ep], {
        now: Date.now(),
        displayName: 'Ann\n    - Fake House (hearth)\u001b[2J\u202egnp.exe',
      }),
    );
    await svc.start();
    await svc.handleSighting({ nodeIdFull: kp.nodeIdFull, host: '10.0.0.9', port: 8443, source: 'udp' });
    const name = registry.get(kp.nodeIdFull)?.display_name ?? '';
    expect(name).toBe('Ann\u240a    - Fake House (hearth)\u241b[2J<U+202E>gnp.exe');
    expect(knownPeersFile(dir).nodes[kp.nodeIdFull].display_name).toBe(name);
  });

  it('debounces repeated sightings: concurrent ones share a fetch, a known peer seen again is only touched until its paced refresh', async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const b = peer(net, '10.0.0.2');
    await svc.start();
    const s = { nodeIdFull: b.kp.nodeIdFull, host: '10.0.0.2', port: 8443, source: 'mdns' as const };
    await Promise.all([svc.handleSighting(s), svc.handleSighting(s), svc.handleSighting(s)]);
    expect(net.fetchManifest).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_000);
    await svc.handleSighting(s);
    expect(net.fetchManifest).toHaveBeenCalledTimes(1);
    expect(registry.get(b.kp.nodeIdFull)?.last_seen).toBe(Date.now()); // the sighting still counts as seen
    await vi.advanceTimersByTimeAsync(3_000);
    await svc.handleSighting(s);
    expect(net.fetchManifest).toHaveBeenCalledTimes(1); // seen where it is known: proof of life, no refetch
    await vi.advanceTimersByTimeAsync(manifestRefreshMs(registry.size));
    expect(net.fetchManifest).toHaveBeenCalledTimes(2); // the paced refresh
  });

  it('backs off a node whose manifest could not be fetched: not asked again at its every sighting', async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const kp = generateKeyPair();
    await svc.start();
    const s = { nodeIdFull: kp.nodeIdFull, host: '10.0.0.7', port: 8443, source: 'udp' as const };
    const fetchesAt = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      await svc.handleSighting(s);
      return net.fetchManifest.mock.calls.length;
    };
    expect(await fetchesAt(0)).toBe(1); // unreachable: first failure
    expect(await fetchesAt(SIGHTING_RETRY_BASE_MS - 1_000)).toBe(1); // within the first backoff
    expect(await fetchesAt(1_000)).toBe(2); // due again: second failure, twice as long
    expect(await fetchesAt(SIGHTING_RETRY_BASE_MS)).toBe(2);
    expect(await fetchesAt(SIGHTING_RETRY_BASE_MS)).toBe(3);
    peer(net, '10.0.0.7', { kp }); // it answers now
    expect(await fetchesAt(4 * SIGHTING_RETRY_BASE_MS)).toBe(4);
    expect(registry.get(kp.nodeIdFull)).not.toBeNull();
  });

  it('a peer removed (e.g. mDNS goodbye) is fetched again on its next sighting, without waiting for the debounce', async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const b = peer(net, '10.0.0.2');
    await svc.start();
    const s = { nodeIdFull: b.kp.nodeIdFull, host: '10.0.0.2', port: 8443, source: 'mdns' as const };
    await svc.handleSighting(s);
    registry.remove(b.kp.nodeIdFull);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await svc.handleSighting(s)).not.toBeNull();
    expect(net.fetchManifest).toHaveBeenCalledTimes(2);
    expect(registry.get(b.kp.nodeIdFull)).not.toBeNull();
  });

  it('ignores ourselves, and refuses bad signatures, impostors and other communities without registering', async () => {
    const net = fakeNet();
    const { kp, registry, svc } = make(net);
    await svc.start();
    expect(
      await svc.handleSighting({ nodeIdFull: kp.nodeIdFull, host: '10.0.0.1', port: 8443, source: 'udp' }),
    ).toBeNull();

    const forged = peer(net, '10.0.0.3');
    net.served.set('10.0.0.3:8443', () => ({
      ...makeManifest(forged.kp, community, [forged.ep]),
      display_name: 'changed',
    }));
    const impostor = peer(net, '10.0.0.4');
    const foreign = peer(net, '10.0.0.5', { community: generateKeyPair().nodeIdFull });
    for (const [host, id] of [
      ['10.0.0.3', forged.kp.nodeIdFull],
      ['10.0.0.4', generateKeyPair().nodeIdFull],
      ['10.0.0.5', foreign.kp.nodeIdFull],
    ]) {
      expect(await svc.handleSighting({ nodeIdFull: id, host, port: 8443, source: 'mdns' })).toBeNull();
    }
    expect(impostor).toBeTruthy();
    expect(registry.all()).toEqual([]);
    // addPeer surfaces the reason with a precise code.
    await expect(svc.addPeer('10.0.0.3', 8443)).rejects.toMatchObject({ code: 'manifest_invalid' });
    await expect(svc.addPeer('10.0.0.5', 8443)).rejects.toThrow(/another community/);
    await expect(svc.addPeer('10.0.0.99', 8443)).rejects.toBeInstanceOf(DiscoveryError);
    await expect(svc.addPeer('10.0.0.99', 8443)).rejects.toMatchObject({ code: 'manifest_fetch_failed' });
    expect(registry.all()).toEqual([]);
  });

  it('retries bootstrap endpoints with exponential back-off capped at 30 s, then registers them', async () => {
    const net = fakeNet();
    const ep = { transport: 'http', host: '10.0.0.7', port: 8443 };
    const { registry, svc } = make(net, { bootstrap: [ep] });
    const t0 = Date.now();
    await svc.start();
    await vi.advanceTimersByTimeAsync(120_000);
    const gaps = net.calls.map((c, i, a) => (i === 0 ? c.at - t0 : c.at - a[i - 1].at));
    expect(gaps.slice(0, 7)).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    const b = peer(net, '10.0.0.7');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(registry.get(b.kp.nodeIdFull)?.source).toBe('invite');
  });

  it('addPeer registers a manual peer, which is probed once nothing else shows it alive, and pruned 90 s after it is gone', async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const b = peer(net, '10.0.0.8');
    await svc.start();
    const rec = await svc.addPeer('10.0.0.8', 8443);
    expect(rec.source).toBe('manual');
    const before = net.calls.length;
    await vi.advanceTimersByTimeAsync(livenessProbeMs(registry.size) - 2_000);
    expect(net.calls.length).toBe(before); // not yet: it was seen recently
    await vi.advanceTimersByTimeAsync(3_000);
    expect(net.calls.length).toBe(before + 1); // one liveness probe
    net.served.delete('10.0.0.8:8443');
    const removed = new Promise<number>((r) => registry.on((e) => e.kind === 'removed' && r(Date.now())));
    const goneAt = Date.now();
    await vi.advanceTimersByTimeAsync(100_000);
    const at = await removed;
    expect(at - goneAt).toBeGreaterThan(60_000);
    expect(at - goneAt).toBeLessThanOrEqual(90_000);
    expect(registry.get(b.kp.nodeIdFull)).toBeNull();
  });

  it('aggressive pruning removes an unreachable peer after 30 s', async () => {
    const net = fakeNet();
    const { registry, svc } = make(net);
    const b = peer(net, '10.0.0.9');
    await svc.start();
    svc.setPruningAggressive(true);
    await svc.handleSighting({ nodeIdFull: b.kp.nodeIdFull, host: '10.0.0.9', port: 8443, source: 'udp' });
    net.served.clear();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(registry.get(b.kp.nodeIdFull)).not.toBeNull();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(registry.get(b.kp.nodeIdFull)).toBeNull();
  });

  it('stop leaves no timers and start/stop are idempotent', async () => {
    const net = fakeNet();
    const { svc } = make(net, { bootstrap: [{ transport: 'http', host: '10.0.0.1', port: 1 }] });
    await svc.start();
    await svc.start();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await svc.stop();
    await svc.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(svc.status()).toMatchObject({ mdns: 'off', udp: 'off' });
  });
});
