/** Test fixtures for discovery: signed manifests and the verifyManifest stand-in named in the brief. */
import { toWallClock, type CommunityId } from '../../../src-main/common';
import {
  signPayload,
  verifyPayload,
  type Endpoint,
  type KeyPair,
  type NodeManifest,
} from '../../../src-main/runtime/identity';
import { DiscoveryError } from '../../../src-main/runtime/discovery';

/** A signed manifest as a node would serve it at GET /manifest. */
export function makeManifest(
  kp: KeyPair,
  communityId: string,
  endpoints: Endpoint[],
  opts: { displayName?: string; now?: number; capabilities?: string[] } = {},
): NodeManifest {
  const now = opts.now ?? Date.now();
  const body = {
    version: 1,
    contract_version: '1.0',
    node_id: kp.nodeIdFull,
    display_name: opts.displayName ?? `node ${kp.nodeIdShort}`,
    community_id: communityId as CommunityId,
    profile: 'hearth' as const,
    endpoints,
    hardware: { gpu: null, vram_gb: 0, ram_gb: 8, cpu_cores: 2, disk_free_gb: 10 },
    capabilities: (opts.capabilities ?? []).map((name) => ({
      name,
      version: '1.0',
      stability: 'stable',
      schema_hash: 'blake3:00',
      params: {},
      max_concurrent: 1,
    })),
    uptime_seconds: 1,
    load: {},
    issued_at: toWallClock(new Date(now)),
    expires_at: toWallClock(new Date(now + 30_000)),
  };
  return signPayload(body as unknown as Record<string, unknown>, kp) as unknown as NodeManifest;
}

/** Stand-in for identity's verifyNodeManifest: signature by its own node_id, and our community. */
export function verifyManifestFor(communityId: string): (m: NodeManifest) => void {
  return (m) => {
    if (!verifyPayload(m, m.node_id)) {
      throw new DiscoveryError('manifest_invalid', `manifest of ${m.node_id} has a bad signature`);
    }
    if (m.community_id !== communityId)
      throw new DiscoveryError('manifest_invalid', 'manifest is for another community');
  };
}

/** Wait until `cond()` is true, polling every 10 ms; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
