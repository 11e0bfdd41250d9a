/** M03 §3.5 of ../shared/spec/hearthnet-reference.md: picks which instance serves a call — local first while lightly loaded, else the best score. */
import type { NodeId } from '../../common';
import type { CapabilityEntry, RouteRequest } from './entry';
import type { HealthTracker } from './health';
import type { Registry } from './registry';

/** BusConfig (§1). */
export interface RouterConfig {
  /** Serve from this node while it is below `localLoadThreshold`. */
  readonly preferLocal: boolean;
  /** in_flight / max_concurrent below which a local instance wins outright (0..1). */
  readonly localLoadThreshold: number;
}

export const DEFAULT_ROUTER_CONFIG: RouterConfig = Object.freeze({ preferLocal: true, localLoadThreshold: 0.8 });
/** Latency at which the latency factor halves the score, ms. */
export const ROUTER_LATENCY_SCALE_MS = 100;
/** Assumed p50 of an instance we have never called, ms (neutral: neither favoured nor shunned). */
export const ROUTER_UNKNOWN_LATENCY_MS = 100;
/** Share of the score a saturated instance keeps, so it still ranks (for failover) but last. */
export const ROUTER_SATURATED_FLOOR = 0.1;
/** Sessions remembered for sticky routing; the oldest are forgotten beyond this. */
export const ROUTER_MAX_STICKY_SESSIONS = 10_000;

/** in_flight / max_concurrent. */
export function loadOf(e: CapabilityEntry): number {
  return e.in_flight / Math.max(1, e.descriptor.max_concurrent);
}

/**
 * score = success_rate × (FLOOR + (1 − FLOOR) × free) / (1 + p50 / SCALE)
 * where free = max(0, 1 − load). Higher is better (docs/decisions/bus.md).
 */
export function scoreOf(e: CapabilityEntry): number {
  const free = Math.max(0, 1 - loadOf(e));
  const p50 = e.p50_latency_ms ?? ROUTER_UNKNOWN_LATENCY_MS;
  return (
    (e.success_rate * (ROUTER_SATURATED_FLOOR + (1 - ROUTER_SATURATED_FLOOR) * free)) /
    (1 + p50 / ROUTER_LATENCY_SCALE_MS)
  );
}

export class Router {
  readonly #sessions = new Map<string, string>();

  constructor(
    readonly registry: Registry,
    readonly config: RouterConfig,
    readonly ourNodeId: NodeId,
    readonly health: HealthTracker,
  ) {}

  /** Instances that could serve `req`: right name/version, params match, callable, not quarantined. */
  candidates(req: RouteRequest): CapabilityEntry[] {
    return this.registry
      .find(req.capability, req.versionReq)
      .filter(
        (e) =>
          e.contract !== 'mismatch' &&
          (e.is_local ? e.handler !== null : e.endpoint !== null) &&
          !this.health.isQuarantined(e) &&
          this.registry.paramsMatch(e, req.params),
      );
  }

  /** Failover order: the sticky instance (if `sticky`), then preferred locals, then by score. */
  rankedCandidates(req: RouteRequest, opts: { sticky?: boolean } = {}): CapabilityEntry[] {
    const cands = this.candidates(req);
    const byScore = (a: CapabilityEntry, b: CapabilityEntry) =>
      scoreOf(b) - scoreOf(a) ||
      Number(b.is_local) - Number(a.is_local) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    const preferred = this.config.preferLocal
      ? cands
          .filter((e) => e.is_local && loadOf(e) < this.config.localLoadThreshold)
          .sort((a, b) => loadOf(a) - loadOf(b) || byScore(a, b))
      : [];
    const ranked = [...preferred, ...cands.filter((e) => !preferred.includes(e)).sort(byScore)];
    const stickyKey = opts.sticky && req.sessionId ? this.#sessions.get(req.sessionId) : undefined;
    const i = stickyKey ? ranked.findIndex((e) => e.key === stickyKey) : -1;
    if (i > 0) ranked.unshift(...ranked.splice(i, 1));
    return ranked;
  }

  route(req: RouteRequest): CapabilityEntry | null {
    return this.rankedCandidates(req).at(0) ?? null;
  }

  /** Keep a session (multi-turn chat) on the same instance while it stays a healthy candidate. */
  routeSticky(req: RouteRequest): CapabilityEntry | null {
    const e = this.rankedCandidates(req, { sticky: true }).at(0) ?? null;
    if (e && req.sessionId) this.bindSession(req.sessionId, e);
    return e;
  }

  /** Pin `sessionId` to `entry` (the bus calls this after a successful call, also after failover). */
  bindSession(sessionId: string, entry: CapabilityEntry): void {
    const prev = this.#sessions.get(sessionId);
    if (prev === entry.key) return;
    if (prev) this.releaseSession(sessionId);
    this.#sessions.set(sessionId, entry.key);
    entry.sticky_sessions.add(sessionId);
    if (this.#sessions.size > ROUTER_MAX_STICKY_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.releaseSession(oldest);
    }
  }

  releaseSession(sessionId: string): void {
    const key = this.#sessions.get(sessionId);
    if (key === undefined) return;
    this.#sessions.delete(sessionId);
    for (const e of this.registry.all()) if (e.key === key) e.sticky_sessions.delete(sessionId);
  }

  /** The instance key a session is pinned to, if any. */
  sessionTarget(sessionId: string): string | undefined {
    return this.#sessions.get(sessionId);
  }
}
