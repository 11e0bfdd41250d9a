/** GET /v1/models: every model some node of the mesh offers for llm.chat, llm.complete or embed.text. */
import type { CapabilityBus, CapabilityEntry } from '../bus';

/** The capabilities whose `params.model` are listed. */
export const OPENAI_LISTED_CAPABILITIES = ['llm.chat', 'llm.complete', 'embed.text'] as const;

/** One entry of the OpenAI model list, plus a `hearthnet` block OpenAI clients ignore. */
export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  hearthnet: {
    capabilities: string[];
    nodes: number;
    backend: string | null;
    ctx: number | null;
    requires_internet: boolean;
  };
}

/** The registry part this module reads. */
export type ModelSource = Pick<CapabilityBus, 'registry' | 'health'>;

function usable(bus: ModelSource, e: CapabilityEntry): boolean {
  return (
    e.contract !== 'mismatch' && (e.is_local ? e.handler !== null : e.endpoint !== null) && !bus.health.isQuarantined(e)
  );
}

/** Live instances of `capability` serving `model`. */
export function instancesOf(bus: ModelSource, capability: string, model: string): CapabilityEntry[] {
  return bus.registry.find(capability, [1, 0]).filter((e) => e.descriptor.params.model === model && usable(bus, e));
}

/** Models on the mesh, sorted by id; a model offered by several nodes is listed once. */
export function listModels(bus: ModelSource): OpenAiModel[] {
  const byId = new Map<string, { caps: Set<string>; nodes: Set<string>; first: CapabilityEntry }>();
  for (const cap of OPENAI_LISTED_CAPABILITIES) {
    for (const e of bus.registry.find(cap, [1, 0])) {
      const model = e.descriptor.params.model;
      if (typeof model !== 'string' || !usable(bus, e)) continue;
      const m = byId.get(model) ?? { caps: new Set(), nodes: new Set(), first: e };
      m.caps.add(cap);
      m.nodes.add(e.node_id);
      byId.set(model, m);
    }
  }
  return [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, m]) => {
      const p = m.first.descriptor.params;
      return {
        id,
        object: 'model',
        created: 0,
        owned_by: typeof p.backend === 'string' ? p.backend : 'hearthnet',
        hearthnet: {
          capabilities: [...m.caps].sort(),
          nodes: m.nodes.size,
          backend: typeof p.backend === 'string' ? p.backend : null,
          ctx: typeof p.ctx === 'number' ? p.ctx : null,
          requires_internet: p.requires_internet === true,
        },
      };
    });
}
