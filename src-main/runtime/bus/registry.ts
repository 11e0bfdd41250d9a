/** M03 §3.2 of ../shared/spec/hearthnet-reference.md: who offers which capability — our own, and each peer's from its signed manifest. */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { errorMessage } from '../../common/error-message';
import { canonicalJson, isOneOf, parseVersion, RPC_DEFAULT_TIMEOUT_SECONDS, STABILITIES } from '../../common';
import type { NodeId, Unchecked, Version } from '../../common';
import type { CapabilitySpec, Endpoint, NodeManifest } from '../identity';
import { capabilityLabel, defineCapability, isCapabilityName, schemaHash, toCapabilitySpec } from './capability';
import type { CapabilityDescriptor } from './capability';
import { entryKey, versionSatisfies } from './entry';
import type { CapabilityEntry, CapabilityHandler, ParamsPredicate } from './entry';
import { defaultParamsCompatible } from './params';
import { BusError } from './errors';

export interface Diff {
  readonly added: CapabilityEntry[];
  readonly removed: CapabilityEntry[];
  readonly updated: CapabilityEntry[];
}

export type RegistryEventKind = 'added' | 'removed' | 'updated';
export interface RegistryEvent {
  readonly kind: RegistryEventKind;
  readonly entry: CapabilityEntry;
}
export type RegistryListener = (event: RegistryEvent) => void;

/** The part of a discovered peer the registry needs. */
export interface PeerRef {
  readonly nodeId: NodeId;
  readonly endpoint: Endpoint | null;
}

export interface RegistryInit {
  now?: () => number;
  /** Where a throwing change listener is reported (the components' `bus` logger; default: the process-wide one). */
  log?: Logger;
}

/** The version of a peer's spec, or null when the spec is malformed (checked as untyped: tests and older callers pass manifests that skipped NodeManifestSchema). */
function specValid(s: Unchecked<CapabilitySpec> | null | undefined): Version | null {
  if (!s || !isCapabilityName(s.name) || typeof s.version !== 'string') return null;
  if (typeof s.max_concurrent !== 'number' || !Number.isInteger(s.max_concurrent) || s.max_concurrent < 1) return null;
  if (typeof s.params !== 'object' || s.params === null || Array.isArray(s.params)) return null;
  try {
    return parseVersion(s.version);
  } catch {
    return null; // a malformed advertisement is skipped, never routed to
  }
}

/** All capability instances known to this node, keyed by (node, name@version, params). */
export class Registry {
  readonly #entries = new Map<string, CapabilityEntry>();
  /** Contracts we know (from code), by `name@major.minor`: used to judge remote schema hashes. */
  readonly #known = new Map<string, CapabilityDescriptor>();
  readonly #predicates = new Map<string, ParamsPredicate>();
  readonly #listeners = new Set<RegistryListener>();
  readonly #now: () => number;
  readonly #log: Logger;

  constructor(
    readonly ourNodeId: NodeId,
    init: RegistryInit = {},
  ) {
    this.#now = init.now ?? Date.now;
    this.#log = init.log ?? getLogger('bus');
  }

  /** Teach the registry a contract it does not serve itself (so remote hashes can be checked). */
  learn(d: CapabilityDescriptor, paramsCompatible?: ParamsPredicate): void {
    this.#known.set(capabilityLabel(d.name, d.version), d);
    if (paramsCompatible) this.#predicates.set(d.name, paramsCompatible);
  }

  knownDescriptor(name: string, version: Version): CapabilityDescriptor | undefined {
    return this.#known.get(capabilityLabel(name, version));
  }

  /** Offer a capability instance from this node. Re-registering the same instance replaces it. */
  registerLocal(
    d: CapabilityDescriptor,
    handler: CapabilityHandler,
    paramsCompatible?: ParamsPredicate,
  ): CapabilityEntry {
    if (!isCapabilityName(d.name))
      throw new BusError(
        'namespace_violation',
        `capability name "${String(d.name)}" must look like "<namespace>.<verb>" in lowercase`,
      );
    this.learn(d, paramsCompatible);
    const key = entryKey(this.ourNodeId, d.name, d.version, d.params);
    const old = this.#entries.get(key);
    const entry: CapabilityEntry = {
      key,
      node_id: this.ourNodeId,
      descriptor: d,
      spec: toCapabilitySpec(d),
      is_local: true,
      handler,
      params_compatible: paramsCompatible ?? null,
      endpoint: null,
      contract: 'local',
      in_flight: old?.in_flight ?? 0,
      last_seen: this.#now(),
      p50_latency_ms: old?.p50_latency_ms ?? null,
      p99_latency_ms: old?.p99_latency_ms ?? null,
      success_rate: old?.success_rate ?? 1,
      quarantined_until: old?.quarantined_until ?? 0,
      sticky_sessions: old?.sticky_sessions ?? new Set(),
    };
    this.#entries.set(key, entry);
    this.#emit([{ kind: old ? 'updated' : 'added', entry }]);
    return entry;
  }

  /** Withdraw local instances of name@version (all of them, or the one with `params`). Returns how many. */
  deregisterLocal(name: string, version: Version, params?: Record<string, unknown>): number {
    const gone = this.allLocal().filter(
      (e) =>
        e.descriptor.name === name &&
        e.descriptor.version[0] === version[0] &&
        e.descriptor.version[1] === version[1] &&
        (params === undefined || e.key === entryKey(this.ourNodeId, name, version, params)),
    );
    for (const e of gone) this.#entries.delete(e.key);
    this.#emit(gone.map((entry) => ({ kind: 'removed', entry })));
    return gone.length;
  }

  /** Replace what we know of a peer's capabilities with its (already verified) manifest. */
  updateFromPeerManifest(peer: PeerRef, manifest: NodeManifest): Diff {
    if (manifest.node_id !== peer.nodeId) {
      throw new BusError(
        'forbidden',
        `manifest of ${manifest.node_id} was presented as the manifest of ${peer.nodeId}`,
      );
    }
    const diff: Diff = { added: [], removed: [], updated: [] };
    if (peer.nodeId === this.ourNodeId) return diff; // our own manifest echoed back by discovery
    const fresh = new Map<string, CapabilityEntry>();
    for (const spec of (manifest.capabilities as readonly CapabilitySpec[] | undefined) ?? []) {
      const version = specValid(spec);
      if (!version) continue;
      const key = entryKey(peer.nodeId, spec.name, version, spec.params);
      const old = this.#entries.get(key);
      const { descriptor, contract } = this.#remoteDescriptor(spec, version);
      if (old) {
        const changed =
          canonicalJson(old.spec) !== canonicalJson(spec) ||
          canonicalJson(old.endpoint) !== canonicalJson(peer.endpoint);
        Object.assign(old, { descriptor, spec, contract, endpoint: peer.endpoint, last_seen: this.#now() });
        if (changed) diff.updated.push(old);
        fresh.set(key, old);
      } else {
        const entry: CapabilityEntry = {
          key,
          node_id: peer.nodeId,
          descriptor,
          spec,
          is_local: false,
          handler: null,
          params_compatible: null,
          endpoint: peer.endpoint,
          contract,
          in_flight: 0,
          last_seen: this.#now(),
          p50_latency_ms: null,
          p99_latency_ms: null,
          success_rate: 1,
          quarantined_until: 0,
          sticky_sessions: new Set(),
        };
        diff.added.push(entry);
        fresh.set(key, entry);
      }
    }
    for (const e of this.#ofNode(peer.nodeId)) if (!fresh.has(e.key)) diff.removed.push(e);
    for (const e of diff.removed) this.#entries.delete(e.key);
    for (const [k, e] of fresh) this.#entries.set(k, e);
    this.#emit([
      ...diff.added.map((entry) => ({ kind: 'added' as const, entry })),
      ...diff.removed.map((entry) => ({ kind: 'removed' as const, entry })),
      ...diff.updated.map((entry) => ({ kind: 'updated' as const, entry })),
    ]);
    return diff;
  }

  /** Forget a peer's capabilities (it went away). Returns how many entries were dropped. */
  removePeer(nodeId: NodeId): number {
    if (nodeId === this.ourNodeId) return 0;
    const gone = this.#ofNode(nodeId);
    for (const e of gone) this.#entries.delete(e.key);
    this.#emit(gone.map((entry) => ({ kind: 'removed', entry })));
    return gone.length;
  }

  /** Instances of `name` whose version satisfies `versionReq` (same major, minor >= requested). */
  find(
    name: string,
    versionReq: Version,
    paramsFilter?: (params: Readonly<Record<string, unknown>>, entry: CapabilityEntry) => boolean,
  ): CapabilityEntry[] {
    const out: CapabilityEntry[] = [];
    for (const e of this.#entries.values()) {
      if (e.descriptor.name !== name || !versionSatisfies(e.descriptor.version, versionReq)) continue;
      if (paramsFilter && !paramsFilter(e.descriptor.params, e)) continue;
      out.push(e);
    }
    return out;
  }

  /** Does `entry` satisfy `requested` params? Uses its own predicate, the capability's, or the default rule. */
  paramsMatch(entry: CapabilityEntry, requested: Readonly<Record<string, unknown>> | null): boolean {
    if (!requested || Object.keys(requested).length === 0) return true;
    const pred = entry.params_compatible ?? this.#predicates.get(entry.descriptor.name) ?? defaultParamsCompatible;
    try {
      return pred(entry.descriptor.params, requested);
    } catch {
      return false; // a predicate that cannot judge these params does not match them
    }
  }

  entry(
    nodeId: NodeId,
    name: string,
    version: Version,
    params: Record<string, unknown> = {},
  ): CapabilityEntry | undefined {
    return this.#entries.get(entryKey(nodeId, name, version, params));
  }

  allLocal(): CapabilityEntry[] {
    return [...this.#entries.values()].filter((e) => e.is_local);
  }

  all(): CapabilityEntry[] {
    return [...this.#entries.values()];
  }

  /** The first entry (insertion order) of capability `name` on `nodeId`, any version/params — `all().find(...)` without copying the table (per-call metrics). */
  firstOn(nodeId: NodeId, name: string): CapabilityEntry | undefined {
    for (const e of this.#entries.values()) if (e.node_id === nodeId && e.descriptor.name === name) return e;
    return undefined;
  }

  /** Subscribe to changes; returns the unsubscribe function. The node republishes its manifest on local changes. */
  on(_event: 'change', listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #ofNode(nodeId: NodeId): CapabilityEntry[] {
    return [...this.#entries.values()].filter((e) => e.node_id === nodeId);
  }

  #remoteDescriptor(spec: CapabilitySpec, version: Version): Pick<CapabilityEntry, 'descriptor' | 'contract'> {
    const known = this.knownDescriptor(spec.name, version);
    if (known && schemaHash(known) === spec.schema_hash) {
      return {
        contract: 'known',
        descriptor: Object.freeze({
          ...known,
          params: Object.freeze({ ...spec.params }),
          max_concurrent: spec.max_concurrent,
        }),
      };
    }
    // Schemas are not in manifests: a stub that accepts any object and claims nothing risky
    // (not idempotent, so no automatic retries of a contract we cannot see).
    const descriptor = defineCapability({
      name: spec.name,
      version,
      params: spec.params,
      max_concurrent: spec.max_concurrent,
      stability: isOneOf(STABILITIES, spec.stability) ? spec.stability : 'experimental',
      timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
      idempotent: false,
    });
    return { descriptor, contract: known ? 'mismatch' : 'unknown' };
  }

  #emit(events: RegistryEvent[]): void {
    for (const ev of events) {
      for (const l of [...this.#listeners]) {
        try {
          l(ev);
        } catch (err) {
          this.#log.warn('a registry listener failed', { error: errorMessage(err) });
        }
      }
    }
  }
}
