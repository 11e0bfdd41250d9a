/**
 * What the mesh offers, as the app shows it: models and document collections with the households
 * that offer them, the street as a graph, the emergency picture, and Ask (retrieval + a streamed
 * answer, with the household that ran the model).
 */
import { ulid } from 'ulidx';
import type {
  AskEvent,
  AskInput,
  EmergencyReport,
  FileRow,
  Household,
  MarketPost,
  MeshCollection,
  MeshModel,
  PeerSummary,
  Topology,
  TopologyHousehold,
} from '..';
import type { CapabilityBus, CapabilityEntry } from '../../bus';
import type { PeerRegistry } from '../../discovery';
import type { EmergencyState } from '../../emergency';
import { askMesh } from '../../services/rag';

export interface MeshViewDeps {
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly ourId: string;
  readonly nameOf: (nodeId: string) => string;
}

/** Instances the bus can route to (a local one with a handler, or a remote one with an address). */
export function usable(bus: CapabilityBus, name?: string): CapabilityEntry[] {
  return bus.registry
    .all()
    .filter(
      (e) =>
        (!name || e.descriptor.name === name) &&
        e.contract !== 'mismatch' &&
        (e.is_local ? e.handler !== null : e.endpoint !== null),
    );
}

function household(d: MeshViewDeps, e: CapabilityEntry): Household {
  return { node_id: e.node_id, name: d.nameOf(e.node_id), is_local: e.is_local };
}

function addHousehold(list: Household[], h: Household): void {
  if (!list.some((x) => x.node_id === h.node_id)) list.push(h);
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Every chat and embedding model on the mesh with who offers it; `files` finds shared model files. */
export function meshModels(d: MeshViewDeps, files: readonly FileRow[], kind?: 'chat' | 'embedding'): MeshModel[] {
  const byKey = new Map<
    string,
    {
      model: string;
      kind: 'chat' | 'embedding';
      households: Household[];
      context_length: number | null;
      backend: string | null;
      shared_cid: string | null;
    }
  >();
  const kinds: Array<['chat' | 'embedding', string]> = [
    ['chat', 'llm.chat'],
    ['embedding', 'embed.text'],
  ];
  for (const [k, capability] of kinds) {
    if (kind && kind !== k) continue;
    for (const e of usable(d.bus, capability)) {
      const model = str(e.descriptor.params.model);
      if (!model) continue;
      const key = `${k}|${model}`;
      const row = byKey.get(key) ?? {
        model,
        kind: k,
        households: [],
        context_length: null,
        backend: null,
        shared_cid: null,
      };
      addHousehold(row.households, household(d, e));
      row.context_length = Math.max(row.context_length ?? 0, num(e.descriptor.params.ctx) ?? 0) || null;
      row.backend ??= str(e.descriptor.params.backend);
      byKey.set(key, row);
    }
  }
  for (const row of byKey.values()) {
    const file = files.find(
      (f) => f.filename !== null && f.filename.toLowerCase() === `${row.model.toLowerCase()}.gguf`,
    );
    if (file) row.shared_cid = file.cid;
  }
  return [...byKey.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.model.localeCompare(b.model));
}

/** Every document collection on the mesh with who offers it; `local` adds what this house knows of its own. */
export function meshCollections(
  d: MeshViewDeps,
  local: ReadonlyArray<{ corpus: string; documents: number; embedding_model: string | null }>,
): MeshCollection[] {
  const byName = new Map<
    string,
    { corpus: string; households: Household[]; documents: number | null; embedding_model: string | null }
  >();
  for (const e of usable(d.bus, 'rag.query')) {
    const corpus = str(e.descriptor.params.corpus);
    if (!corpus) continue;
    const row = byName.get(corpus) ?? {
      corpus,
      households: [],
      documents: null,
      embedding_model: str(e.descriptor.params.embedding_model),
    };
    addHousehold(row.households, household(d, e));
    byName.set(corpus, row);
  }
  for (const c of local) {
    const row = byName.get(c.corpus) ?? { corpus: c.corpus, households: [], documents: null, embedding_model: null };
    row.documents = c.documents;
    row.embedding_model = c.embedding_model;
    addHousehold(row.households, { node_id: d.ourId, name: d.nameOf(d.ourId), is_local: true });
    byName.set(c.corpus, row);
  }
  return [...byName.values()].sort((a, b) => a.corpus.localeCompare(b.corpus));
}

/** The street as this node sees it: itself, every neighbour it knows, what each offers. */
export function topology(
  d: MeshViewDeps,
  self: { profile: string; mode: string },
  peers: readonly PeerSummary[],
): Topology {
  const entries = usable(d.bus);
  const offers = (nodeId: string) => {
    const mine = entries.filter((e) => e.node_id === nodeId);
    const names = [...new Set(mine.map((e) => `${e.descriptor.name}@${e.descriptor.version.join('.')}`))].sort();
    const models = [
      ...new Set(
        mine
          .filter((e) => e.descriptor.name === 'llm.chat')
          .map((e) => str(e.descriptor.params.model))
          .filter((m): m is string => !!m),
      ),
    ].sort();
    const collections = [
      ...new Set(
        mine
          .filter((e) => e.descriptor.name === 'rag.query')
          .map((e) => str(e.descriptor.params.corpus))
          .filter((c): c is string => !!c),
      ),
    ].sort();
    return { capabilities: names, models, collections };
  };
  const households: TopologyHousehold[] = [
    {
      node_id: d.ourId,
      node_id_short: shortish(d.ourId),
      name: d.nameOf(d.ourId),
      is_self: true,
      online: true,
      mode: self.mode,
      profile: self.profile,
      ...offers(d.ourId),
    },
    ...peers.map((p) => ({
      node_id: p.node_id,
      node_id_short: p.node_id_short,
      name: p.display_name || d.nameOf(p.node_id),
      is_self: false,
      online: p.refuses_us === null,
      mode: p.mode,
      profile: p.profile,
      ...offers(p.node_id),
    })),
  ];
  return {
    self: d.ourId,
    households,
    links: peers.filter((p) => p.refuses_us === null).map((p) => ({ from: d.ourId, to: p.node_id })),
  };
}

function shortish(id: string): string {
  return id.length > 24 ? `${id.slice(0, 24)}…` : id;
}

/** The Emergency tab's picture. */
export function emergencyReport(
  d: MeshViewDeps,
  state: EmergencyState,
  peers: readonly PeerSummary[],
  posts: readonly MarketPost[],
): EmergencyReport {
  const reachable = peers.filter((p) => p.refuses_us === null);
  const reachableIds = new Set([d.ourId, ...reachable.map((p) => p.node_id)]);
  const works = new Map<string, Set<string>>();
  for (const e of usable(d.bus)) {
    if (e.descriptor.params.requires_internet === true || !reachableIds.has(e.node_id)) continue;
    const set = works.get(e.descriptor.name) ?? new Set<string>();
    set.add(d.nameOf(e.node_id));
    works.set(e.descriptor.name, set);
  }
  return {
    mode: state.mode,
    since: state.since,
    last_probe: state.last_probe,
    probes: Object.entries(state.probe_results).map(([target, ok]) => ({ target, ok })),
    reachable: reachable.map((p) => ({
      node_id: p.node_id,
      name: p.display_name || d.nameOf(p.node_id),
      last_seen_s_ago: p.last_seen_s_ago,
      mode: p.mode,
    })),
    emergency_posts: posts.filter((p) => p.category === 'emergency'),
    still_works: [...works.entries()]
      .map(([capability, names]) => ({ capability, households: [...names].sort() }))
      .sort((a, b) => a.capability.localeCompare(b.capability)),
  };
}

/** Ask: the sources, the answer token by token, then who answered (from the bus's trace of the llm.chat call). */
export async function* askStream(d: MeshViewDeps, q: AskInput, signal: AbortSignal): AsyncGenerator<AskEvent> {
  const traceId = ulid();
  const bus = {
    call: d.bus.call.bind(d.bus),
    registry: d.bus.registry,
    stream: ((capability, version, body, opts) =>
      d.bus.stream(capability, version, body, { ...opts, traceId })) as CapabilityBus['stream'],
  };
  for await (const ev of askMesh({
    bus,
    question: q.question,
    corpora: q.collections ? [...q.collections] : undefined,
    model: q.model,
    k: q.k,
    signal,
  })) {
    if (ev.type === 'sources') yield { type: 'sources', sources: ev.sources };
    else if (ev.type === 'text') yield { type: 'token', text: ev.text };
    else {
      const trace =
        ev.answered_by === 'llm'
          ? d.bus.recentTraces(200).find((t) => t.trace_id === traceId && t.result === 'ok')
          : undefined;
      const node = trace ? trace.to_node : null;
      yield {
        type: 'done',
        answered_by: ev.answered_by,
        model: ev.model,
        notice: ev.notice,
        household: node ? { node_id: node, name: d.nameOf(node) } : null,
      };
    }
  }
}
