/**
 * Three complete HearthNet nodes (`bin/hearthnet run`) in three network namespaces on one bridge.
 * They share a community but know nothing of each other's addresses: they must meet by mDNS alone
 * (UDP off), then again by UDP multicast alone (mDNS off), and converge their event logs.
 * Root + iproute2 only; skipped with a printed reason elsewhere.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, resolvePaths, saveConfig, type Config } from '../../src-main/runtime/config';
import { loadOrGenerateKeyPair, type KeyPair } from '../../src-main/runtime/identity';
import { createCommunity, inviteEventData, makeInvite } from '../../src-main/runtime/onboarding';
import { openCommunity } from '../../src-main/runtime/node/community-context';
import { writeCommunityManifest } from '../../src-main/runtime/config/community-file';
import { nodeFiles } from '../../src-main/runtime/config/node-paths';
import { waitFor } from '../support/mesh';
import {
  cleanStaleNamespaces,
  createTopology,
  killChild,
  netnsUnavailableReason,
  spawnInNs,
  type NetnsTopology,
} from './netns';

const reason = netnsUnavailableReason();
if (reason) console.log(`tests/netns/full-nodes.test.ts skipped: ${reason}`);
const itNs = reason ? it.skip : it;

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/hearthnet');
const PORT = 7080;
const NAMES = ['a', 'b', 'c'] as const;

interface Home {
  readonly name: string;
  readonly dir: string;
  readonly kp: KeyPair;
  config: Config;
}

/** Pre-seeds one community across three homes (invites and joins written offline) so only discovery is left to test. */
function seedCommunity(): Home[] {
  const homes = NAMES.map((name) => {
    const dir = mkdtempSync(join(tmpdir(), `hn-netns-${name}-`));
    const config = resolvePaths(defaultConfig(), { env: { HEARTHNET_HOME: dir } });
    return { name, dir, kp: loadOrGenerateKeyPair(config.identity.keys_dir), config };
  });
  const root = homes[0];
  const rootLog = openCommunity({ dbPath: nodeFiles(root.config).eventLog, communityId: root.kp.nodeIdFull });
  const manifest = createCommunity({ name: 'Netns Street', kp: root.kp, community: rootLog });
  for (const h of homes.slice(1)) {
    const blob = makeInvite({
      invitee: h.kp.nodeIdFull,
      inviterKp: root.kp,
      community: { community_id: root.kp.nodeIdFull, name: 'Netns Street' },
      bootstrapEndpoints: [],
      ttlSeconds: 3600,
    });
    rootLog.log.appendLocal('community.member.invited', inviteEventData(blob), root.kp);
  }
  const seed = [...rootLog.log.replay()];
  rootLog.close();
  for (const h of homes) {
    writeCommunityManifest(nodeFiles(h.config).communityManifest, manifest);
    if (h !== root) {
      const c = openCommunity({ dbPath: nodeFiles(h.config).eventLog, communityId: root.kp.nodeIdFull });
      c.log.appendReceivedBatch(seed);
      c.log.appendLocal('community.member.joined', { node_id: h.kp.nodeIdFull, display_name: `House ${h.name}` }, h.kp);
      c.close();
    }
  }
  return homes;
}

function writeConfig(h: Home, communityId: string, host: string, discovery: { mdns: boolean; udp: boolean }): void {
  h.config = {
    ...h.config,
    node: { ...h.config.node, display_name: `House ${h.name}`, profile: 'hearth' },
    community: { ...h.config.community, community_id: communityId },
    transport: { ...h.config.transport, host, port: PORT },
    ui: { ...h.config.ui, host: '127.0.0.1', port: 0 },
    discovery: { ...h.config.discovery, mdns_enabled: discovery.mdns, udp_enabled: discovery.udp },
    emergency: { ...h.config.emergency, probe_targets: [] },
  };
  saveConfig(h.config, join(h.dir, 'config.toml'), { env: { HEARTHNET_HOME: h.dir } });
}

let topo: NetnsTopology | null = null;
let homes: Home[] = [];
let children: ChildProcess[] = [];

function status(
  h: Home,
): { peers: Array<{ node_id: string; source: string }>; event_log: { head: number; count: number } } | null {
  try {
    const out = execFileSync(
      'ip',
      ['netns', 'exec', topo!.node(h.name).ns, process.execPath, BIN, 'status', '--json'],
      { env: { ...process.env, HEARTHNET_HOME: h.dir }, encoding: 'utf8', timeout: 10_000 },
    );
    return JSON.parse(out) as NonNullable<ReturnType<typeof status>>;
  } catch {
    return null;
  }
}

/** Fresh homes each run, so nothing learnt before (known peers, member manifests) helps. */
async function runMesh(discovery: { mdns: boolean; udp: boolean }): Promise<void> {
  homes = seedCommunity();
  for (const h of homes) {
    const n = topo!.node(h.name);
    writeConfig(h, homes[0].kp.nodeIdFull, n.address, discovery);
    children.push(
      spawnInNs(n.ns, process.execPath, [BIN, 'run', '--no-ui'], {
        cwd: ROOT,
        env: { ...process.env, HEARTHNET_HOME: h.dir },
      }),
    );
  }
  const others = (h: Home) =>
    homes
      .filter((o) => o !== h)
      .map((o) => o.kp.nodeIdFull)
      .sort();
  const seen = await waitFor(
    () => {
      const all = homes.map(status);
      return all.every((s, i) => s !== null && others(homes[i]).every((id) => s.peers.some((p) => p.node_id === id)))
        ? all
        : null;
    },
    60_000,
    `three nodes to find each other (${discovery.mdns ? 'mDNS' : 'UDP'} only)`,
  );
  const sources = seen.flatMap((s) => s!.peers.map((p) => p.source));
  expect(new Set(sources)).toEqual(new Set([discovery.mdns ? 'mdns' : 'udp']));
  await waitFor(
    () => {
      const logs = homes.map((h) => status(h)?.event_log);
      return logs.every((l) => l && l.count === logs[0]!.count && l.head === logs[0]!.head) && logs[0]!.count >= 6;
    },
    30_000,
    'the event logs to converge',
  );
}

describe('full nodes in network namespaces', () => {
  beforeAll(() => {
    if (reason) return;
    cleanStaleNamespaces();
    topo = createTopology([...NAMES], { tag: 'full' });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(children.map((c) => killChild(c)));
    children = [];
    for (const h of homes) rmSync(h.dir, { recursive: true, force: true });
    homes = [];
  }, 30_000);

  afterAll(() => topo?.destroy());

  itNs(
    'find each other by mDNS alone and converge their logs',
    async () => {
      await runMesh({ mdns: true, udp: false });
    },
    120_000,
  );

  itNs(
    'find each other by UDP multicast alone and converge their logs',
    async () => {
      await runMesh({ mdns: false, udp: true });
    },
    120_000,
  );
});
