/**
 * Real sockets on one machine: UDP multicast and mDNS over the loopback interface (IP_MULTICAST_LOOP,
 * multicast interface 127.0.0.1, a private group and port so nothing leaves the host or meets
 * another test). Multi-host behaviour is covered by tests/netns.
 */
import { memoryLogger } from '../../support/memory-logger';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  MdnsAnnouncer,
  MdnsBrowser,
  PeerRegistry,
  UdpAnnouncer,
  UdpListener,
  type Sighting,
} from '../../../src-main/runtime/discovery';
import { DiscoveryService } from '../../../src-main/runtime/discovery';
import { makeManifest, verifyManifestFor, waitFor } from './fixtures';

const LO = '127.0.0.1';
const community = generateKeyPair().nodeIdFull;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});
const rnd = (lo: number, n: number) => lo + Math.floor(Math.random() * n);

describe('loopback multicast', () => {
  it('UDP: a listener hears a signed announcement, ignores its own and counts garbage', async () => {
    const group = `239.255.${rnd(100, 100)}.${rnd(1, 250)}`;
    const port = rnd(40_000, 10_000);
    const a = generateKeyPair();
    const b = generateKeyPair();
    const sightings: Sighting[] = [];
    const listener = new UdpListener({
      group,
      port,
      interfaceAddress: LO,
      ourNodeIdFull: b.nodeIdFull,
      communityId: community,
      onSighting: (s) => sightings.push(s),
    });
    await listener.start();
    stops.push(() => listener.stop());
    const announcer = new UdpAnnouncer({
      group,
      port,
      interfaceAddress: LO,
      kp: a,
      registry: new PeerRegistry(a.nodeIdFull, community),
      communityId: community,
      displayName: 'A',
      profile: 'hearth',
      servicePort: 8443,
      capabilityNames: ['llm.chat'],
    });
    await announcer.start();
    stops.push(() => announcer.stop());
    // b's own announcer, heard by b's listener and ignored.
    const own = new UdpAnnouncer({
      group,
      port,
      interfaceAddress: LO,
      kp: b,
      registry: new PeerRegistry(b.nodeIdFull, community),
      communityId: community,
      displayName: 'B',
      profile: 'hearth',
      servicePort: 8444,
      capabilityNames: [],
    });
    await own.start();
    stops.push(() => own.stop());
    const junk = createSocket('udp4');
    junk.bind(0, LO, () => {
      junk.setMulticastInterface(LO);
      junk.send('garbage', port, group, () => junk.close());
    });
    await waitFor(
      () => sightings.length >= 1 && listener.stats.own >= 1 && listener.stats.malformed >= 1,
      5_000,
      'udp packets',
    );
    expect(sightings[0]).toEqual({ nodeIdFull: a.nodeIdFull, host: LO, port: 8443, source: 'udp' });
    expect(listener.stats.accepted).toBe(sightings.length);
  });

  it('mDNS: a browser finds an announcer of its community, and removes it on goodbye', async () => {
    const group = `239.255.${rnd(100, 100)}.${rnd(1, 250)}`;
    const mdnsPort = rnd(50_000, 10_000);
    const a = generateKeyPair();
    const b = generateKeyPair();
    const sock = { interfaceAddress: LO, group };
    const registry = new PeerRegistry(b.nodeIdFull, community);
    const sightings: Sighting[] = [];
    const browser = new MdnsBrowser({
      ...sock,
      port: mdnsPort,
      registry,
      ourCommunityId: community,
      onSighting: (s) => sightings.push(s),
    });
    await browser.start();
    stops.push(() => browser.stop());
    const announcer = new MdnsAnnouncer({
      ...sock,
      mdnsPort,
      kp: a,
      nodeIdShort: a.nodeIdShort,
      displayName: 'A',
      communityIdShort: generateKeyPair().nodeIdShort,
      profile: 'hearth',
      port: 8443,
      capabilityNames: [],
    });
    // First an announcer of another community: ignored.
    await announcer.start();
    await waitFor(() => browser.foreign >= 1, 5_000, 'foreign instance');
    await announcer.stop();
    expect(sightings).toEqual([]);

    const good = new MdnsAnnouncer({
      ...sock,
      mdnsPort,
      kp: a,
      nodeIdShort: a.nodeIdShort,
      displayName: 'A',
      communityIdShort: a.nodeIdShort,
      profile: 'hearth',
      port: 8443,
      capabilityNames: ['llm.chat'],
    });
    // The browser compares with shortOf(community): give it the matching community.
    const registry2 = new PeerRegistry(b.nodeIdFull, a.nodeIdFull);
    const found: Sighting[] = [];
    const browser2 = new MdnsBrowser({
      ...sock,
      port: mdnsPort,
      registry: registry2,
      ourCommunityId: a.nodeIdFull,
      onSighting: (s) => found.push(s),
    });
    await browser2.start();
    stops.push(() => browser2.stop());
    await good.start();
    await waitFor(() => found.length >= 1, 5_000, 'mdns sighting');
    expect(found[0]).toEqual({ nodeIdFull: a.nodeIdFull, host: LO, port: 8443, source: 'mdns' });
    registry2.upsert({
      node_id: a.nodeIdShort,
      node_id_full: a.nodeIdFull,
      display_name: 'A',
      community_id: a.nodeIdFull,
      profile: 'hearth',
      endpoints: [],
      manifest: null,
      last_seen: Date.now(),
      rtt_ms: null,
      source: 'mdns',
    });
    await good.stop();
    await waitFor(() => registry2.get(a.nodeIdFull) === null, 5_000, 'goodbye');
  });

  it('a busy port: mDNS fails with mdns_unavailable, UDP with socket_in_use, and the service still starts', async () => {
    const blocker = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((r) => blocker.bind(0, '0.0.0.0', () => r()));
    stops.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const busy = blocker.address().port;
    const kp = generateKeyPair();
    const registry = new PeerRegistry(kp.nodeIdFull, community);
    const browser = new MdnsBrowser({
      interfaceAddress: LO,
      group: '239.255.99.1',
      port: busy,
      registry,
      ourCommunityId: community,
      onSighting: () => undefined,
    });
    await expect(browser.start()).rejects.toMatchObject({ name: 'DiscoveryError', code: 'mdns_unavailable' });
    const listener = new UdpListener({
      group: '239.255.99.2',
      port: busy,
      interfaceAddress: LO,
      ourNodeIdFull: kp.nodeIdFull,
      communityId: community,
      onSighting: () => undefined,
    });
    await expect(listener.start()).rejects.toMatchObject({ code: 'socket_in_use' });

    const svc = new DiscoveryService({
      kp,
      registry,
      communityId: community,
      displayName: 'me',
      profile: 'hearth',
      port: 8443,
      config: { mdns_enabled: true, udp_enabled: true, udp_multicast_group: '239.255.99.3', udp_port: busy },
      fetchManifest: () => Promise.resolve(makeManifest(kp, community, [])),
      verifyManifest: verifyManifestFor(community),
      knownPeersPath: null,
      interfaceAddress: LO,
      mdnsGroup: '239.255.99.4',
      mdnsPort: busy,
      log: memoryLogger('discovery').log,
    });
    await svc.start();
    stops.push(() => svc.stop());
    expect(svc.status()).toMatchObject({ mdns: 'unavailable', udp: 'unavailable' });
    expect(svc.status().errors.join(' ')).toMatch(/EADDRINUSE/);
    expect(svc.running).toBe(true);
  });
});
