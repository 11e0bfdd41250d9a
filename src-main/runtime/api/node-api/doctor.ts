/**
 * `hearthnet doctor` about the node that is running: the ports it really holds, how far each
 * neighbour's clock is from ours (from the `issued_at` of the manifest it serves now, re-signed
 * every MANIFEST_REPUBLISH_INTERVAL_SECONDS: at most that much older than its clock, far below the
 * minutes clock_sanity cares about), and the models it serves.
 */
import type { Diagnostics } from '..';
import type { NodeApiDeps } from './node-api';
import { usable, type MeshViewDeps } from './mesh';

export async function diagnostics(
  d: NodeApiDeps & { nameOf: (id: string) => string },
  mesh: MeshViewDeps,
): Promise<Diagnostics> {
  const clocks: Array<{ node_id: string; name: string; skew_ms: number }> = [];
  const unreachable: string[] = [];
  await Promise.all(
    d.peers.all().map(async (p) => {
      const endpoint = p.endpoints.at(0);
      const name = d.nameOf(p.node_id_full);
      if (!endpoint || !d.fetchManifest) return void unreachable.push(name);
      try {
        const sent = Date.now();
        const { manifest } = await d.fetchManifest(endpoint);
        const received = Date.now();
        const issued = Date.parse(String(manifest.issued_at));
        // Ours at the midpoint of the round trip is the best guess of our clock when theirs was read.
        if (Number.isFinite(issued))
          clocks.push({ node_id: p.node_id_full, name, skew_ms: Math.round(issued - (sent + received) / 2) });
        else unreachable.push(name);
      } catch {
        unreachable.push(name);
      }
    }),
  );
  const chat = usable(mesh.bus, 'llm.chat');
  const local = chat.filter((e) => e.is_local && typeof e.descriptor.params.model === 'string');
  const snapshot = d.bus.topologySnapshot();
  return {
    ports: { transport: d.transportPort(), api: d.apiPort() },
    peer_clocks: clocks.sort((a, b) => a.name.localeCompare(b.name)),
    unreachable: unreachable.sort(),
    models_served: local.map((e) => ({
      model: String(e.descriptor.params.model),
      backend: typeof e.descriptor.params.backend === 'string' ? e.descriptor.params.backend : null,
    })),
    neighbour_models: new Set(chat.filter((e) => !e.is_local).map((e) => String(e.descriptor.params.model))).size,
    capabilities: { local: snapshot.capabilities_local.length, remote: snapshot.capabilities_remote.length },
  };
}
