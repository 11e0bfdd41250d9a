/**
 * createMesh(n): real HearthNet nodes on 127.0.0.1 (temp HEARTHNET_HOMEs, port 0), named alice,
 * bob, carol, ... The first creates the community and invites the others, who redeem. Multicast
 * discovery is off (nodes meet through invites and the member directory in the log) and the
 * emergency probes point nowhere, so nothing leaves this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig, resolvePaths, saveConfig, type Config } from '../../src-main/runtime/config';
import { loadOrGenerateKeyPair } from '../../src-main/runtime/identity';
import { startNode, type RunningNode, type StartNodeOptions } from '../../src-main/runtime/node';
import { createCommunity } from '../../src-main/runtime/onboarding';
import { openCommunity } from '../../src-main/runtime/node/community-context';
import { writeCommunityManifest } from '../../src-main/runtime/config/community-file';
import { nodeFiles } from '../../src-main/runtime/config/node-paths';

export const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

export interface MeshNode {
  readonly name: string;
  readonly home: string;
  readonly configFile: string;
  node: RunningNode;
  /** Stop this node (keeps its files). */
  stop(): Promise<void>;
  /** Start it again from its files, on the same ports (so neighbours' caches still reach it). */
  restart(extra?: Partial<StartNodeOptions>): Promise<RunningNode>;
}

export interface MeshOptions {
  /** Extra config applied to every node before start. */
  readonly configure?: (config: Config, name: string) => Config;
  readonly node?: Partial<StartNodeOptions>;
  /** Do not join the others to the first node's community. */
  readonly noCommunity?: boolean;
}

export interface Mesh {
  readonly nodes: MeshNode[];
  byName(name: string): MeshNode;
  close(): Promise<void>;
}

/** Poll `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? String(last) : JSON.stringify(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A config for a node living in `home`, safe for tests (loopback only, no public probes). */
export function testConfig(home: string, name: string, configure?: MeshOptions['configure']): Config {
  const env = { HEARTHNET_HOME: home };
  const base = resolvePaths(defaultConfig(), { env });
  const config: Config = {
    ...base,
    node: { ...base.node, display_name: name, profile: 'hearth' },
    transport: { ...base.transport, host: '127.0.0.1', port: 0 },
    ui: { ...base.ui, host: '127.0.0.1', port: 0 },
    discovery: { ...base.discovery, mdns_enabled: false, udp_enabled: false },
    emergency: { ...base.emergency, probe_targets: [] },
  };
  return configure ? configure(config, name) : config;
}

export async function createMesh(n: number, opts: MeshOptions = {}): Promise<Mesh> {
  const nodes: MeshNode[] = [];
  const homes: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const name = NAMES[i];
      const home = mkdtempSync(join(tmpdir(), `hn-${name}-`));
      homes.push(home);
      const configFile = join(home, 'config.toml');
      let config = testConfig(home, name, opts.configure);
      const kp = loadOrGenerateKeyPair(config.identity.keys_dir);
      if (i === 0 && !opts.noCommunity) {
        const files = nodeFiles(config);
        const c = openCommunity({ dbPath: files.eventLog, communityId: kp.nodeIdFull });
        writeCommunityManifest(files.communityManifest, createCommunity({ name: 'Test Street', kp, community: c }));
        c.close();
        config = { ...config, community: { ...config.community, community_id: kp.nodeIdFull } };
      }
      saveConfig(config, configFile, { env: { HEARTHNET_HOME: home } });
      nodes.push(await startMeshNode(name, home, configFile, opts.node ?? {}));
    }
    if (!opts.noCommunity) {
      const [first, ...rest] = nodes;
      for (const m of rest) {
        const invite = await first.node.api.createInvite({
          nodeId: m.node.kp.nodeIdFull,
          level: 'member',
          ttlSeconds: 3600,
        });
        await m.node.api.redeemInvite({ text: invite.text });
      }
    }
  } catch (err) {
    await Promise.allSettled(nodes.map((m) => m.stop()));
    for (const h of homes) rmSync(h, { recursive: true, force: true });
    throw err;
  }
  return {
    nodes,
    byName: (name) => nodes.find((m) => m.name === name)!,
    close: async () => {
      await Promise.allSettled(nodes.map((m) => m.stop()));
      for (const h of homes) rmSync(h, { recursive: true, force: true });
    },
  };
}

async function startMeshNode(
  name: string,
  home: string,
  configFile: string,
  extra: Partial<StartNodeOptions>,
): Promise<MeshNode> {
  const env = { HEARTHNET_HOME: home };
  const start = (o: Partial<StartNodeOptions>) =>
    startNode({
      config: loadConfig(configFile, { env }),
      configFile,
      name,
      syncIntervalMs: 500,
      writeRuntimeFile: false,
      autodetectLlm: false,
      ...extra,
      ...o,
    });
  let running = true;
  const m: MeshNode = {
    name,
    home,
    configFile,
    node: await start({}),
    stop: async () => {
      if (!running) return;
      running = false;
      await m.node.stop();
    },
    restart: async (o = {}) => {
      await m.stop();
      m.node = await start({ transportPort: m.node.transportPort, ...o });
      running = true;
      return m.node;
    },
  };
  return m;
}
