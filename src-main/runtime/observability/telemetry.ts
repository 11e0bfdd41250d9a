/**
 * §23 of ../shared/spec/hearthnet-reference.md: what a node sends to Trackio when `observability.trackio_project` is set — every
 * LLM call (latency, tokens in/out, model, backend, result), a topology snapshot every 60 s, and
 * marketplace/chat gauges with it — and over OTLP/HTTP when `observability.otlp_endpoint` is set:
 * a span and call metrics for every bus call, the same node gauges as metrics (otlp.ts). Bridged
 * from the bus's trace hook and the community log; no service calls an exporter itself. Off
 * (nothing constructed, the OpenTelemetry SDK not even loaded) when neither is set.
 */
import type { CapabilityBus } from '../bus';
import type { Config } from '../config';
import type { PeerRegistry } from '../discovery';
import type { EventLog } from '../events';
import { spaceUrl, TRACKIO_DEFAULT_URL, TrackioExporter } from './trackio';
import type { Logger } from './logger';
import type { ComponentLogger } from './component-logger';
import { PeriodicTask, StartGate, type Startable } from '../lifecycle';
import { PACKAGE_VERSION } from '../version';
import { errorMessage } from '../../common/error-message';
import type { OtlpExporter } from './otlp';

export const TOPOLOGY_SNAPSHOT_MS = 60_000;
/** LLM calls whose start was seen but whose end was not yet: bounded so a leak cannot grow. */
const PENDING_CALLS_MAX = 1_000;

/** What telemetry reads of the node (a Pick of the Node's components). */
export interface TelemetryComponents {
  readonly config: () => Config;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly keys: { readonly nodeIdFull: string; readonly nodeIdShort: string };
  readonly logger: ComponentLogger;
  /** The community now (its log feeds the gauges; null before joining). */
  readonly community: () => { readonly log: EventLog } | null;
  readonly mode: () => string;
}

export interface TelemetryInit {
  readonly env?: NodeJS.ProcessEnv;
  readonly snapshotMs?: number;
  readonly fetch?: typeof fetch;
}

/** What the exporters read, resolved from the components when telemetry starts. */
interface TelemetryDeps {
  readonly config: Config;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly nodeId: string;
  readonly run: string;
  readonly log: Logger;
  readonly eventLog: () => EventLog | null;
  readonly mode: () => string;
  readonly env?: NodeJS.ProcessEnv;
  readonly snapshotMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * Telemetry as one part: starts the exporters the config asks for (none: start does nothing),
 * stops them on stop; start after stop starts fresh exporters from the config of that moment.
 */
export class Telemetry implements Startable {
  #trackio: { exporter: TrackioExporter; stop(): Promise<void> } | null = null;
  #otlp: { exporter: Promise<OtlpExporter | null>; stop(): Promise<void> } | null = null;
  readonly #gate = new StartGate(
    () => this.#start(),
    () => this.#stop(),
  );

  constructor(
    private readonly c: TelemetryComponents,
    private readonly init: TelemetryInit = {},
  ) {}

  start(): Promise<void> {
    return this.#gate.start();
  }

  stop(): Promise<void> {
    return this.#gate.stop();
  }

  /** The Trackio exporter, or null when `trackio_project` is not set (or telemetry is stopped). */
  get exporter(): TrackioExporter | null {
    return this.#trackio?.exporter ?? null;
  }

  /** The OTLP exporter once its SDK is loaded, or null when `otlp_endpoint` is not set. */
  get otlp(): Promise<OtlpExporter | null> {
    return this.#otlp?.exporter ?? Promise.resolve(null);
  }

  #start(): void {
    const config = this.c.config();
    const o = config.observability;
    if (!o.trackio_project && !o.otlp_endpoint) return;
    const d: TelemetryDeps = {
      ...this.init,
      config,
      bus: this.c.bus,
      peers: this.c.peers,
      nodeId: this.c.keys.nodeIdFull,
      run: `${config.node.display_name || 'node'} (${this.c.keys.nodeIdShort})`,
      log: this.c.logger.forComponent('telemetry'),
      eventLog: () => this.c.community()?.log ?? null,
      mode: this.c.mode,
    };
    this.#trackio = o.trackio_project ? startTrackio(d, o.trackio_project) : null;
    this.#otlp = o.otlp_endpoint ? startOtlp(d, o.otlp_endpoint) : null;
  }

  async #stop(): Promise<void> {
    const [trackio, otlp] = [this.#trackio, this.#otlp];
    this.#trackio = this.#otlp = null;
    await Promise.all([trackio?.stop(), otlp?.stop()]);
  }
}

/** The node's topology figures, shared by Trackio's snapshot and the OTLP gauges. */
function topologyGauges(d: TelemetryDeps): Record<string, number> {
  const caps = d.bus.registry.all();
  return {
    mesh_size: d.peers.size + 1,
    peers_online: d.peers.size,
    capabilities: caps.length,
    capabilities_local: caps.filter((c) => c.is_local).length,
    event_log_size: d.eventLog()?.count() ?? 0,
  };
}

/** Who this node was in a finished call. */
function roleOf(d: TelemetryDeps, ev: { from_node: string; is_local: boolean }): 'caller' | 'server' | 'local' {
  if (ev.from_node !== d.nodeId) return 'server';
  return ev.is_local ? 'local' : 'caller';
}

/**
 * The OTLP bridge: the SDK is imported on first use (it is only paid for when configured); calls
 * finished before it is loaded are not exported.
 */
function startOtlp(
  d: TelemetryDeps,
  endpoint: string,
): { exporter: Promise<OtlpExporter | null>; stop(): Promise<void> } {
  let warned = false;
  let stopped = false;
  let off: (() => void) | null = null;
  const exporter = import('./otlp').then(
    ({ OtlpExporter }) => {
      if (stopped) return null;
      const x = new OtlpExporter({
        endpoint,
        nodeId: d.nodeId,
        nodeName: d.run,
        serviceVersion: PACKAGE_VERSION,
        gauges: () => topologyGauges(d),
        onError: (err) => {
          if (!warned)
            d.log.warn('the OTLP collector is not reachable; spans and metrics are dropped until it is', {
              error: String((err as Error | undefined)?.message ?? err),
            });
          warned = true;
        },
      });
      off = d.bus.trace.addListener((ev) => x.recordCall(ev, roleOf(d, ev)));
      return x;
    },
    (err: unknown) => {
      d.log.warn('OTLP export is configured but the OpenTelemetry SDK did not load', { error: String(err) });
      return null;
    },
  );
  return {
    exporter,
    async stop() {
      stopped = true;
      off?.();
      await (await exporter)?.stop();
    },
  };
}

function startTrackio(d: TelemetryDeps, project: string): { exporter: TrackioExporter; stop(): Promise<void> } {
  const o = d.config.observability;
  const env = d.env ?? process.env;
  let warned = false;
  const exporter = new TrackioExporter({
    project,
    run: d.run,
    url: o.trackio_space ? spaceUrl(o.trackio_space) : env.TRACKIO_SERVER_URL || TRACKIO_DEFAULT_URL,
    writeToken: env.TRACKIO_WRITE_TOKEN || env.HF_TOKEN || null,
    fetch: d.fetch,
    onError: (err) => {
      if (!warned)
        d.log.warn('Trackio is not reachable; telemetry steps are dropped until it is', {
          error: errorMessage(err),
        });
      warned = true;
    },
  });

  const llm = new Map<string, { model: string | null; backend: string | null }>();
  const offStart = d.bus.trace.addStartListener((req, entry) => {
    if (!req.capability.startsWith('llm.')) return;
    const oldest = llm.keys().next();
    if (llm.size >= PENDING_CALLS_MAX && !oldest.done) llm.delete(oldest.value);
    const p = entry.spec.params;
    const model: unknown = p.model ?? req.params?.model ?? (req.body as { model?: unknown } | null)?.model;
    llm.set(req.traceId, { model: labelOf(model), backend: labelOf(p.backend) });
  });
  const offEnd = d.bus.trace.addListener((ev) => {
    if (!ev.capability.startsWith('llm.')) return;
    const meta = llm.get(ev.trace_id);
    llm.delete(ev.trace_id);
    warned = false;
    exporter.log({
      kind: 'llm_call',
      capability: ev.capability,
      latency_ms: ev.ms,
      tokens_in: ev.tokens_in,
      tokens_out: ev.tokens_out,
      model: meta?.model ?? null,
      backend: meta?.backend ?? null,
      result: ev.result,
      role: ev.from_node === d.nodeId ? 'caller' : 'server',
    });
  });

  // Gauges over the snapshot window, counted from the log as events arrive.
  let posts = 0;
  let chats = 0;
  let watched: EventLog | null = null;
  let offLog: (() => void) | null = null;
  const watchLog = () => {
    const current = d.eventLog();
    if (current === watched) return;
    offLog?.();
    watched = current;
    offLog =
      current?.onAppend((e) => {
        if (e.event_type === 'market.post.created') posts++;
        else if (e.event_type === 'chat.message.sent') chats++;
      }) ?? null;
  };
  watchLog();
  const snapshotMs = d.snapshotMs ?? TOPOLOGY_SNAPSHOT_MS;
  const snapshot = new PeriodicTask(() => {
    watchLog();
    exporter.log({
      kind: 'topology',
      ...topologyGauges(d),
      mode: d.mode(),
      market_posts_per_min: (posts * 60_000) / snapshotMs,
      chat_messages_per_min: (chats * 60_000) / snapshotMs,
    });
    posts = chats = 0;
  }, snapshotMs);
  exporter.start();
  snapshot.start();
  return {
    exporter,
    async stop() {
      offStart();
      offEnd();
      offLog?.();
      await snapshot.stop();
      await exporter.stop();
    },
  };
}

/** A model or backend name from a call's (unvalidated) params, as a metric label; null when there is none. */
function labelOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}
