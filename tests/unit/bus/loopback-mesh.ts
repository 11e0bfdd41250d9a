/**
 * A loopback mesh for bus tests: each node's PeerTransport calls the target node's
 * CapabilityBus.handleInbound in-process, with the JSON round-trip and error mapping the HTTP
 * transport performs (thrown HearthError -> wire error -> CallError). Real HTTP comes with X01.
 */
import { CallError, toWallClock, toWireError } from '../../../src-main/common';
import type { CommunityId, NodeId } from '../../../src-main/common';
import { CapabilityBus } from '../../../src-main/runtime/bus';
import type { CapabilityBusInit, TrustOracle } from '../../../src-main/runtime/bus';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import type { Endpoint, NodeManifest } from '../../../src-main/runtime/identity';
import type {
  CallOptions,
  Frame,
  InboundCall,
  PeerAddress,
  PeerTransport,
} from '../../../src-main/runtime/transport/contract';

export type Level = 'member' | 'trusted' | 'anchor';

/** Community membership shared by every node of the mesh. */
export class FakeTrust implements TrustOracle {
  readonly levels = new Map<string, Level>();
  readonly revoked = new Set<string>();
  levelOf(nodeId: NodeId) {
    return this.levels.get(nodeId) ?? null;
  }
  isRevoked(nodeId: NodeId) {
    return this.revoked.has(nodeId);
  }
}

export interface MeshNode {
  readonly name: string;
  readonly id: NodeId;
  readonly endpoint: Endpoint;
  readonly bus: CapabilityBus;
  readonly transport: LoopbackTransport;
}

type WithParams = CallOptions & { params?: unknown };

function roundTrip<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export class LoopbackTransport implements PeerTransport {
  /** Every outbound call: which peer, which capability. */
  readonly sent: Array<{ to: string; capability: string; stream: boolean }> = [];
  constructor(
    readonly mesh: Mesh,
    readonly self: NodeId,
  ) {}

  #target(peer: PeerAddress, capability: string, stream: boolean): MeshNode {
    const t = this.mesh.byId(peer.nodeId);
    this.sent.push({ to: t?.name ?? peer.nodeId, capability, stream });
    if (!t || this.mesh.partitioned.has(t.name) || this.mesh.partitioned.has(this.mesh.byId(this.self)!.name)) {
      throw new CallError('partition', `cannot reach ${t?.name ?? peer.nodeId}`);
    }
    return t;
  }

  #inbound(
    capability: string,
    version: string,
    body: unknown,
    opts: WithParams | undefined,
    stream: boolean,
  ): InboundCall & { params?: unknown } {
    return {
      capability,
      version,
      body: roundTrip(body),
      caller: this.self,
      traceId: opts?.traceId ?? 'trace',
      sessionId: opts?.sessionId ?? null,
      stream,
      signal: opts?.signal ?? new AbortController().signal,
      params: roundTrip(opts?.params ?? undefined),
    };
  }

  async call(
    peer: PeerAddress,
    capability: string,
    version: string,
    body: unknown,
    opts?: CallOptions,
  ): Promise<unknown> {
    const t = this.#target(peer, capability, false);
    try {
      return roundTrip(await t.bus.handleInbound(this.#inbound(capability, version, body, opts, false)));
    } catch (err) {
      throw CallError.fromWire(toWireError(err));
    }
  }

  async *stream(
    peer: PeerAddress,
    capability: string,
    version: string,
    body: unknown,
    opts?: CallOptions,
  ): AsyncGenerator<Frame> {
    const t = this.#target(peer, capability, true);
    let src: AsyncIterable<{ event: Frame['event']; data: Record<string, unknown> }>;
    try {
      src = (await t.bus.handleInbound(this.#inbound(capability, version, body, opts, true))) as typeof src;
    } catch (err) {
      throw CallError.fromWire(toWireError(err));
    }
    let seq = 0;
    try {
      for await (const f of src) {
        yield { event: f.event, data: roundTrip(f.data), seq: ++seq };
        if (f.event === 'done') return;
      }
    } catch (err) {
      // What the server does once frames flowed: an `error` frame.
      yield { event: 'error', data: { ...toWireError(err) }, seq: ++seq };
      return;
    }
    yield { event: 'done', data: {}, seq: ++seq };
  }
}

export class Mesh {
  readonly nodes: MeshNode[] = [];
  readonly trust = new FakeTrust();
  readonly partitioned = new Set<string>();
  readonly communityId = generateKeyPair().nodeIdFull as unknown as CommunityId;

  /** Add a node; every node joins as a member unless `level` says otherwise (null = not a member). */
  add(name: string, init: Partial<CapabilityBusInit> = {}, level: Level | null = 'member'): MeshNode {
    const id = generateKeyPair().nodeIdFull;
    const endpoint: Endpoint = { transport: 'https', host: '127.0.0.1', port: 40000 + this.nodes.length };
    const transport = new LoopbackTransport(this, id);
    const bus = new CapabilityBus({ nodeId: id, communityId: this.communityId, transport, trust: this.trust, ...init });
    if (level) this.trust.levels.set(id, level);
    const node = { name, id, endpoint, bus, transport };
    this.nodes.push(node);
    return node;
  }

  byId(id: string): MeshNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  node(name: string): MeshNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Every node learns every other node's current manifest (what discovery does). */
  sync(): void {
    for (const a of this.nodes)
      for (const b of this.nodes)
        if (a !== b)
          a.bus.onPeerAdded({ nodeId: b.id, endpoint: b.endpoint, manifest: manifestOf(b, this.communityId) });
  }
}

export function manifestOf(n: MeshNode, communityId: CommunityId): NodeManifest {
  return {
    version: 1,
    contract_version: '1.0',
    node_id: n.id,
    display_name: n.name,
    community_id: communityId,
    profile: 'hearth',
    endpoints: [n.endpoint],
    hardware: { gpu: null, vram_gb: 0, ram_gb: 8, cpu_cores: 2, disk_free_gb: 10 },
    capabilities: n.bus.localCapabilitySpecs(),
    uptime_seconds: 1,
    load: {},
    issued_at: toWallClock(),
    expires_at: toWallClock(new Date(Date.now() + 30_000)),
    signature: '',
  };
}

/** Create a mesh of the named nodes (alice, bob, carol by default). */
export function createMesh(names: string[] = ['alice', 'bob', 'carol'], init: Partial<CapabilityBusInit> = {}): Mesh {
  const mesh = new Mesh();
  for (const n of names) mesh.add(n, init);
  return mesh;
}

/** Resolve when `cond()` holds, polling each macrotask; reject after `ms`. */
export async function waitFor(cond: () => boolean, ms = 2_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
