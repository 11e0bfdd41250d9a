/** M03 §3.7 of ../shared/spec/hearthnet-reference.md: the capability bus — register, route, call and stream capabilities across the mesh. */
import { versionString } from '../../common';
import type { CommunityId, NodeId, Version } from '../../common';
import type { CapabilitySpec } from '../identity';
import type { Frame, FrameData, InboundCall, InboundCallHandler, PeerTransport } from '../transport/contract';
import { newTraceId } from '../transport/trace-id';
import { capabilityLabel, isCapabilityName, normaliseDescriptor } from './capability';
import type { CapabilityDescriptor } from './capability';
import { CallScope, jsonBytes } from './deadline';
import type { CapabilityEntry, CapabilityHandler, ParamsPredicate, RouteRequest } from './entry';
import type { BusCallOptions, CapabilityBusInit, CapabilityProvider, PeerInfo } from './bus-types';
import { LocalExecutor } from './executor';
import { asHearthError, BUS_MAX_ATTEMPTS, errorFromFrame, isNodeFault, mayFailOver, wireCodeOf } from './failover';
import { numberFrames, tokensOf } from './frames';
import { FrameWaiter } from './frame-waiter';
import { HealthTracker } from './health';
import { Registry } from './registry';
import type { Diff } from './registry';
import { DEFAULT_ROUTER_CONFIG, Router } from './router';
import { inboundRequest, localCall, outbound, outgoingRequest, peerOf } from './request';
import { noRouteError, pickLocal } from './route-errors';
import { SchemaValidator } from './schema';
import { statsOf, topologyOf } from './snapshot';
import type { BusStats, BusStatsView, PeerView, TopologySnapshot } from './snapshot';
import { TraceHook } from './trace';
import type { CallResult, CallTraceEvent } from './trace';
import { BusError } from './errors';

const noop = () => {};
const monotonic = () => performance.now();

export class CapabilityBus implements InboundCallHandler {
  readonly nodeId: NodeId;
  readonly communityId: CommunityId;
  readonly registry: Registry;
  readonly health: HealthTracker;
  readonly schema = new SchemaValidator();
  readonly router: Router;
  readonly trace: TraceHook;
  readonly #exec: LocalExecutor;
  readonly #transport: PeerTransport;
  readonly #newTraceId: () => string;
  readonly #now: () => number;
  readonly #maxAttempts: number;
  readonly #peers = new Map<string, PeerView>();
  readonly #stats: BusStats = {
    calls_total: 0,
    calls_ok: 0,
    calls_failed: 0,
    failovers: 0,
    inbound_total: 0,
    inbound_failed: 0,
  };

  constructor(init: CapabilityBusInit) {
    const now = init.now ?? Date.now;
    this.nodeId = init.nodeId;
    this.communityId = init.communityId;
    this.registry = new Registry(init.nodeId, { now, log: init.log });
    this.health = new HealthTracker({ now, onQuarantine: init.onQuarantine });
    this.router = new Router(this.registry, { ...DEFAULT_ROUTER_CONFIG, ...init.config }, init.nodeId, this.health);
    this.trace = new TraceHook({ now, capacity: init.traceCapacity, log: init.log });
    this.#exec = new LocalExecutor(init.nodeId, init.trust, this.schema);
    this.#transport = init.transport;
    this.#newTraceId = init.newTraceId ?? newTraceId;
    this.#now = now;
    this.#maxAttempts = Math.max(1, init.maxAttempts ?? BUS_MAX_ATTEMPTS);
  }

  // ---- registration -------------------------------------------------------------------------

  /** Offer a capability from this node; schemas are compiled now (BusError 'schema_invalid'). */
  registerCapability(
    d: CapabilityDescriptor,
    handler: CapabilityHandler,
    paramsCompatible?: ParamsPredicate,
  ): CapabilityEntry {
    if (!isCapabilityName(d.name))
      throw new BusError(
        'namespace_violation',
        `capability name "${String(d.name)}" must look like "<namespace>.<verb>" in lowercase`,
      );
    this.schema.compile(d);
    return this.registry.registerLocal(d, handler, paramsCompatible);
  }

  /**
   * The one way a service reaches the bus: all of its capabilities are registered, or none if
   * one is invalid. Descriptors are checked and normalised here ("1.0" becomes [1, 0]).
   */
  registerService(service: CapabilityProvider): CapabilityEntry[] {
    const caps = service.capabilities().map((c) => ({ ...c, descriptor: normaliseDescriptor(c.descriptor) }));
    for (const c of caps) this.schema.compile(c.descriptor);
    return caps.map((c) => this.registry.registerLocal(c.descriptor, c.handler, c.paramsCompatible));
  }

  /** Withdraw what `registerService` registered for this service. */
  deregisterService(service: CapabilityProvider): number {
    return service.capabilities().reduce((n, c) => {
      const d = normaliseDescriptor(c.descriptor);
      return n + this.deregister(d.name, d.version, d.params);
    }, 0);
  }

  /** Withdraw local instances of name@version (one, if `params` is given). */
  deregister(name: string, version: Version, params?: Record<string, unknown>): number {
    return this.registry.deregisterLocal(name, version, params);
  }

  /** Know a contract we do not serve: remote instances with its schema hash become `known` (idempotency, timeouts). */
  learn(d: CapabilityDescriptor, paramsCompatible?: ParamsPredicate): void {
    this.schema.compile(d);
    this.registry.learn(d, paramsCompatible);
  }

  /** The capabilities this node advertises in its manifest. */
  localCapabilitySpecs(): CapabilitySpec[] {
    return this.registry.allLocal().map((e) => e.spec);
  }

  // ---- inbound ------------------------------------------------------------------------------

  /** InboundCallHandler: serve a verified `POST /bus/v1/call` from a peer. Throws BusError. */
  /** Resolves to the reply: a value, or an AsyncIterable<FrameData> for a stream. */
  async handleInbound(call: InboundCall): Promise<unknown> {
    this.#stats.inbound_total++;
    let entry: CapabilityEntry | null = null;
    const t0 = monotonic();
    let req: RouteRequest | null = null;
    try {
      req = inboundRequest(call);
      entry = pickLocal(this.registry, req);
      this.trace.onCallStart(req, entry);
      const [r, e] = [req, entry];
      const out = await this.#exec.run({
        entry,
        body: call.body,
        caller: call.caller,
        traceId: call.traceId,
        sessionId: call.sessionId,
        params: req.params,
        stream: call.stream,
        signal: () => call.signal, // read only if the handler looks at its signal (or for a stream)
        onStreamEnd: (result, s) => {
          if (result !== 'ok') this.#stats.inbound_failed++;
          this.#traceEnd(r, e, t0, result, s.bytes, s.last?.data, call.caller);
        },
      });
      if (!call.stream) this.#traceEnd(req, entry, t0, 'ok', jsonBytes(out), out, call.caller);
      return out;
    } catch (e) {
      const err = asHearthError(e, `${call.capability}@${call.version}`);
      this.#stats.inbound_failed++;
      if (req && entry) this.#traceEnd(req, entry, t0, err.wireCode, 0, null, call.caller);
      throw err;
    }
  }

  // ---- outbound -----------------------------------------------------------------------------

  /** Call a capability wherever it is best served, failing over per docs/decisions/bus.md. */
  async call(
    capability: string,
    versionReq: Version | string,
    body: unknown,
    opts: BusCallOptions = {},
  ): Promise<unknown> {
    this.#stats.calls_total++;
    const req = this.#request(capability, versionReq, body, opts, false);
    const ranked = this.#ranked(req);
    let lastErr: unknown;
    for (const [i, entry] of ranked.entries()) {
      if (i > 0) this.#stats.failovers++;
      this.trace.onCallStart(req, entry);
      const t0 = monotonic();
      try {
        const out = await this.#attempt(entry, req, opts);
        const ms = monotonic() - t0;
        this.health.record(entry, { success: true, latencyMs: ms });
        this.#traceEnd(req, entry, t0, 'ok', jsonBytes(out), out, this.nodeId);
        if (req.sessionId) this.router.bindSession(req.sessionId, entry);
        this.#stats.calls_ok++;
        return out;
      } catch (e) {
        lastErr = this.#failed(entry, req, e, t0, opts);
        if (!mayFailOver(lastErr, opts.idempotent ?? entry.descriptor.idempotent, opts.signal?.aborted ?? false)) break;
      }
    }
    this.#stats.calls_failed++;
    throw lastErr;
  }

  /**
   * Stream frames from a capability (routing happens on the first `next()`). Failover only
   * before the first frame; breaking out of the loop or aborting `signal` cancels the producer.
   */
  async *stream(
    capability: string,
    versionReq: Version | string,
    body: unknown,
    opts: BusCallOptions = {},
  ): AsyncGenerator<Frame> {
    this.#stats.calls_total++;
    const req = this.#request(capability, versionReq, body, opts, true);
    const ranked = this.#ranked(req);
    let lastErr: unknown;
    for (const [i, entry] of ranked.entries()) {
      if (i > 0) this.#stats.failovers++;
      this.trace.onCallStart(req, entry);
      const t0 = monotonic();
      const timeoutMs = opts.timeoutMs ?? entry.descriptor.timeout_seconds * 1000;
      const label = capabilityLabel(req.capability, req.versionReq);
      const scope = new CallScope(opts.signal);
      const ctl = scope.controller; // a stream always needs its signal: the producer and the frame waiter watch it
      if (!entry.is_local) entry.in_flight++;
      const release = () => {
        if (!entry.is_local) entry.in_flight--;
        waiter.dispose();
        scope.dispose();
      };
      let it: AsyncIterator<Frame> | undefined;
      let first: IteratorResult<Frame>;
      const waiter = new FrameWaiter(ctl, timeoutMs, label);
      try {
        const src = entry.is_local
          ? numberFrames(
              (await this.#exec.run({
                ...localCall(entry, req, this.nodeId),
                signal: ctl.signal,
                timeoutMs,
              })) as AsyncIterable<FrameData>,
            )
          : this.#transport.stream(
              peerOf(entry),
              req.capability,
              versionString(req.versionReq),
              req.body,
              outbound(req, ctl.signal, timeoutMs),
            );
        it = src[Symbol.asyncIterator]();
        first = await waiter.next(it.next());
        if (!first.done && first.value.event === 'error') throw errorFromFrame(first.value);
      } catch (e) {
        ctl.abort(e);
        it?.return?.().catch(noop); // a producer parked on an await must not hold us up
        release();
        lastErr = this.#failed(entry, req, e, t0, opts);
        if (!mayFailOver(lastErr, opts.idempotent ?? entry.descriptor.idempotent, opts.signal?.aborted ?? false)) break;
        continue;
      }
      // Committed to this instance: from here errors go to the consumer, never to another node.
      let result = 'cancelled';
      let bytes = 0;
      let last: Frame | null = null;
      try {
        let r = first;
        while (!r.done) {
          bytes += jsonBytes(r.value.data);
          last = r.value;
          if (r.value.event === 'done') result = 'ok'; // terminal: settled even if the consumer stops here
          yield r.value;
          if (r.value.event === 'done') break;
          r = await waiter.next(it.next());
          if (!r.done && r.value.event === 'error') throw errorFromFrame(r.value);
        }
        result = 'ok';
      } catch (e) {
        const err = asHearthError(e, label);
        result = err.wireCode;
        if (isNodeFault(err) && !opts.signal?.aborted)
          this.health.record(entry, { success: false, latencyMs: monotonic() - t0 });
        throw err;
      } finally {
        if (result !== 'ok') ctl.abort(new BusError('cancelled', `${label} stream was stopped by the caller`));
        it.return?.().catch(noop);
        release();
        if (result === 'ok') {
          this.health.record(entry, { success: true, latencyMs: monotonic() - t0 });
          if (req.sessionId) this.router.bindSession(req.sessionId, entry);
          this.#stats.calls_ok++;
        } else {
          this.#stats.calls_failed++;
        }
        this.#traceEnd(req, entry, t0, result, bytes, last?.data, this.nodeId);
      }
      return;
    }
    this.#stats.calls_failed++;
    throw lastErr;
  }

  // ---- peers --------------------------------------------------------------------------------

  onPeerAdded(peer: PeerInfo): Diff {
    this.#peers.set(peer.nodeId, {
      node_id: peer.nodeId,
      display_name: peer.manifest.display_name,
      endpoint: peer.endpoint,
      capabilities: peer.manifest.capabilities.length, // schema-checked (NodeManifestSchema)
      last_seen: this.#now(),
    });
    return this.registry.updateFromPeerManifest({ nodeId: peer.nodeId, endpoint: peer.endpoint }, peer.manifest);
  }

  onPeerUpdated(peer: PeerInfo): Diff {
    return this.onPeerAdded(peer);
  }

  onPeerRemoved(nodeId: NodeId): number {
    this.#peers.delete(nodeId);
    for (const e of this.registry.all())
      if (e.node_id === nodeId) for (const s of [...e.sticky_sessions]) this.router.releaseSession(s);
    return this.registry.removePeer(nodeId);
  }

  // ---- views --------------------------------------------------------------------------------

  topologySnapshot(): TopologySnapshot {
    return topologyOf(this.nodeId, this.#peers.values(), this.registry.all());
  }

  recentTraces(n = 50): CallTraceEvent[] {
    return this.trace.recent(n);
  }

  stats(): BusStatsView {
    return statsOf(this.#stats, this.registry.all(), (e) => this.health.isQuarantined(e));
  }

  // ---- internals ----------------------------------------------------------------------------

  #request(
    capability: string,
    versionReq: Version | string,
    body: unknown,
    opts: BusCallOptions,
    stream: boolean,
  ): RouteRequest {
    const traceId = opts.traceId ?? this.#newTraceId();
    const [sessionId, params] = [opts.sessionId ?? null, opts.params ?? null];
    return outgoingRequest({ capability, versionReq, body, caller: this.nodeId, traceId, sessionId, params, stream });
  }

  /** Candidates in failover order, capped at maxAttempts; throws when there are none. */
  #ranked(req: RouteRequest): CapabilityEntry[] {
    const ranked = this.router.rankedCandidates(req, { sticky: req.sessionId !== null }).slice(0, this.#maxAttempts);
    if (ranked.length) return ranked;
    throw noRouteError(this.registry, req);
  }

  /** Close a call's trace record: latency from `t0`, tokens from the result or last frame's data. */
  #traceEnd(
    req: RouteRequest,
    entry: CapabilityEntry,
    t0: number,
    result: CallResult,
    bytesOut: number,
    data: unknown,
    by: NodeId,
  ): void {
    const end = { result, latencyMs: monotonic() - t0, bytesIn: jsonBytes(req.body), bytesOut, ...tokensOf(data) };
    this.trace.onCallEnd(req, entry, end, by);
  }

  async #attempt(entry: CapabilityEntry, req: RouteRequest, opts: BusCallOptions): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? entry.descriptor.timeout_seconds * 1000;
    if (entry.is_local)
      return this.#exec.run({ ...localCall(entry, req, this.nodeId), signal: opts.signal, timeoutMs });
    const scope = new CallScope(opts.signal);
    entry.in_flight++;
    try {
      const p = this.#transport.call(
        peerOf(entry),
        req.capability,
        versionString(req.versionReq),
        req.body,
        outbound(req, scope.signal, timeoutMs),
      );
      return await scope.race(p, timeoutMs, capabilityLabel(req.capability, req.versionReq));
    } catch (err) {
      scope.abort(err); // stop the request on the wire
      throw err;
    } finally {
      entry.in_flight--;
      scope.dispose();
    }
  }

  /** Record a failed attempt (health when the node is at fault, trace always); returns the error. */
  #failed(entry: CapabilityEntry, req: RouteRequest, e: unknown, t0: number, opts: BusCallOptions) {
    const err = asHearthError(e, capabilityLabel(req.capability, req.versionReq));
    const ms = monotonic() - t0;
    if (isNodeFault(err) && !opts.signal?.aborted) this.health.record(entry, { success: false, latencyMs: ms });
    this.#traceEnd(req, entry, t0, wireCodeOf(err), 0, null, this.nodeId);
    return err;
  }
}
