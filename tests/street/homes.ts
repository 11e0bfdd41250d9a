/**
 * Households of the simulated street: a home directory, key pair and config per node. The first
 * household starts the community (and holds the street's model); it has already written an invite
 * for every other household, which each redeems over the network once its node runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, resolvePaths, saveConfig, type Config } from '../../src-main/runtime/config';
import { loadOrGenerateKeyPair, type KeyPair } from '../../src-main/runtime/identity';
import { createCommunity, encodeInvite, inviteEventData, makeInvite } from '../../src-main/runtime/onboarding';
import { openCommunity } from '../../src-main/runtime/node/community-context';
import { writeCommunityManifest } from '../../src-main/runtime/config/community-file';
import { nodeFiles } from '../../src-main/runtime/config/node-paths';
import type { NetnsNode } from '../netns/netns';

export const PEER_PORT = 7080;
export const STREET_NAME = 'Simulated Street';

export interface Home {
  readonly index: number;
  readonly dir: string;
  readonly kp: KeyPair;
  readonly net: NetnsNode;
  /** For households other than the first: the invite they redeem. */
  invite: string | null;
}

/** Create the homes; the first one's log holds the community and every invite. */
export function createHomes(nets: readonly NetnsNode[], opts: { modelPath: string | null }): Home[] {
  const homes: Home[] = nets.map((net, index) => {
    const dir = mkdtempSync(join(tmpdir(), `hn-street-${index}-`));
    const config = resolvePaths(defaultConfig(), { env: { HEARTHNET_HOME: dir } });
    return { index, dir, net, kp: loadOrGenerateKeyPair(config.identity.keys_dir), invite: null };
  });
  const root = homes[0];
  const rootConfig = resolvePaths(defaultConfig(), { env: { HEARTHNET_HOME: root.dir } });
  const community = openCommunity({ dbPath: nodeFiles(rootConfig).eventLog, communityId: root.kp.nodeIdFull });
  try {
    const manifest = createCommunity({ name: STREET_NAME, kp: root.kp, community });
    writeCommunityManifest(nodeFiles(rootConfig).communityManifest, manifest);
    for (const h of homes.slice(1)) {
      const blob = makeInvite({
        invitee: h.kp.nodeIdFull,
        inviterKp: root.kp,
        community: { community_id: root.kp.nodeIdFull, name: STREET_NAME },
        bootstrapEndpoints: [{ transport: 'https', host: root.net.address, port: PEER_PORT }],
        ttlSeconds: 6 * 3600,
      });
      community.log.appendLocal('community.member.invited', inviteEventData(blob), root.kp);
      h.invite = encodeInvite(blob);
    }
  } finally {
    community.close();
  }
  for (const h of homes)
    writeConfig(h, h === root ? root.kp.nodeIdFull : null, opts.modelPath && h === root ? opts.modelPath : null);
  return homes;
}

function writeConfig(h: Home, communityId: string | null, modelPath: string | null): void {
  const base = resolvePaths(defaultConfig(), { env: { HEARTHNET_HOME: h.dir } });
  const config: Config = {
    ...base,
    node: { ...base.node, display_name: `House ${h.index + 1}`, profile: 'hearth' },
    community: { ...base.community, community_id: communityId },
    transport: { ...base.transport, host: h.net.address, port: PEER_PORT },
    ui: { ...base.ui, host: '127.0.0.1', port: 0 },
    emergency: { ...base.emergency, probe_targets: [] },
    // "event stored" / "neighbour found" lines are how the simulator times the street.
    observability: { ...base.observability, log_level: 'debug' },
    llm: { backends: modelPath ? [{ name: 'llama_cpp', url: null, model: modelPath, api_key_env: null }] : [] },
  };
  saveConfig(config, join(h.dir, 'config.toml'), { env: { HEARTHNET_HOME: h.dir } });
}
