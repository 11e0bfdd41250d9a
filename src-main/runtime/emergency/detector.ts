/**
 * M09 §3.2 of ../shared/spec/hearthnet-reference.md: the probe loop and its debounced state machine. Every round probes all targets;
 * all reachable = online, none = offline, some = degraded. The mode changes only after the
 * node has been away from it continuously for the debounce (30 s), so a blip never flips the mesh.
 */
import {
  EMERGENCY_PROBE_INTERVAL_OFFLINE,
  EMERGENCY_PROBE_INTERVAL_ONLINE,
  EMERGENCY_TRANSITION_DEBOUNCE_SECONDS,
  toWallClock,
  type Mode,
} from '../../common';
import { realClock, type TimerClock } from './clock';
import { makeProbe, parseProbeTarget, type ProbeFn } from './probes';
import { StateBus, type EmergencyState } from './state';

/** What the node does at the offline boundary (§14 "State-transition effects"). */
export interface DetectorEffects {
  /** Entering offline: deregister `requires_internet` capabilities, make peer pruning aggressive. */
  onEnterOffline?(): void | Promise<void>;
  /** Leaving offline (to degraded or online): re-register them, pruning back to normal. */
  onLeaveOffline?(): void | Promise<void>;
}

/** The slice of an observability Logger the detector uses. */
export interface DetectorLog {
  info(msg: string, extras?: Record<string, unknown>): void;
  error(msg: string, extras?: Record<string, unknown>): void;
}

export interface DetectorOptions {
  /** `emergency.probe_targets`; validated here (EmergencyError 'bad_probe_target'). */
  readonly targets: readonly string[];
  readonly stateBus?: StateBus;
  /** Default: the real probes of `makeProbe()`. */
  readonly probe?: ProbeFn;
  readonly clock?: TimerClock;
  readonly effects?: DetectorEffects;
  /** Called with the mode at start() and on each change (sets hearthnet_emergency_mode). */
  readonly onModeChange?: (mode: Mode) => void;
  readonly debounceSeconds?: number;
  /** Seconds between rounds while online. */
  readonly intervalOnline?: number;
  /** Seconds between rounds while offline or degraded. */
  readonly intervalOffline?: number;
  /**
   * When true (default) the first round after start() sets the mode without debounce: a node
   * booting into an outage should say so in seconds, and there is no settled mode to protect yet.
   */
  readonly settleFirstRound?: boolean;
  readonly log?: DetectorLog;
}

/** all reachable -> online, none -> offline, otherwise degraded. No targets counts as online. */
export function classify(results: Readonly<Record<string, boolean>>): Mode {
  const values = Object.values(results);
  const up = values.filter(Boolean).length;
  if (up === values.length) return 'online';
  return up === 0 ? 'offline' : 'degraded';
}

const silentLog: DetectorLog = {
  info: () => {},
  error: (msg, extras) => process.stderr.write(`hearthnet: ${msg} ${JSON.stringify(extras ?? {})}\n`),
};

/** Runs the probe loop. `start()`/`stop()` are idempotent; stop() leaves no timer or request behind. */
export class Detector {
  readonly stateBus: StateBus;
  private readonly targets: readonly string[];
  private readonly probe: ProbeFn;
  private readonly clock: TimerClock;
  private readonly opts: DetectorOptions;
  private readonly log: DetectorLog;
  private timer: unknown = null;
  private running = false;
  private round: Promise<void> | null = null;
  private abort: AbortController | null = null;
  /** When classification first differed from the current mode (epoch ms), or null. */
  private departedAt: number | null = null;
  private firstRound = true;

  constructor(opts: DetectorOptions) {
    for (const t of opts.targets) parseProbeTarget(t);
    this.opts = opts;
    this.targets = [...opts.targets];
    this.stateBus = opts.stateBus ?? new StateBus();
    this.probe = opts.probe ?? makeProbe();
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? silentLog;
  }

  /** Begin probing (first round immediately). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.firstRound = true;
    this.departedAt = null;
    this.opts.onModeChange?.(this.stateBus.current().mode);
    this.schedule(0);
  }

  /** Stop probing; aborts an in-flight round and waits for it to settle. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    await this.round;
  }

  current(): EmergencyState {
    return this.stateBus.current();
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.round = this.runRound().finally(() => {
        this.round = null;
      });
    }, delayMs);
  }

  private intervalMs(mode: Mode): number {
    const s =
      mode === 'online'
        ? (this.opts.intervalOnline ?? EMERGENCY_PROBE_INTERVAL_ONLINE)
        : (this.opts.intervalOffline ?? EMERGENCY_PROBE_INTERVAL_OFFLINE);
    return s * 1000;
  }

  private async runRound(): Promise<void> {
    const ac = new AbortController();
    this.abort = ac;
    const started = this.clock.now();
    const outcomes = await Promise.all(this.targets.map((t) => this.probe(t, ac.signal).catch(() => false)));
    this.abort = null;
    if (!this.running) return;
    const results: Record<string, boolean> = {};
    this.targets.forEach((t, i) => (results[t] = outcomes[i]));
    const prev = this.stateBus.current();
    const next = this.decide(prev.mode, classify(results), started);
    const lastProbe = toWallClock(new Date(this.clock.now()));
    this.stateBus.publish({
      mode: next,
      since: next === prev.mode ? prev.since : toWallClock(new Date(started)),
      last_probe: lastProbe,
      probe_results: results,
    });
    if (next !== prev.mode) await this.transitioned(prev.mode, next, results);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run during the awaits above
    if (this.running) this.schedule(this.intervalMs(next));
  }

  /** The debounce: leave the current mode only after being away from it for debounceSeconds. */
  private decide(mode: Mode, seen: Mode, at: number): Mode {
    const first = this.firstRound;
    this.firstRound = false;
    if (seen === mode) {
      this.departedAt = null;
      return mode;
    }
    if (first && (this.opts.settleFirstRound ?? true)) return seen;
    this.departedAt ??= at;
    const debounceMs = (this.opts.debounceSeconds ?? EMERGENCY_TRANSITION_DEBOUNCE_SECONDS) * 1000;
    if (at - this.departedAt < debounceMs) return mode;
    this.departedAt = null;
    return seen;
  }

  private async transitioned(from: Mode, to: Mode, results: Record<string, boolean>): Promise<void> {
    this.log.info('emergency mode changed', { from, to, probe_results: results });
    const fx = this.opts.effects;
    try {
      this.opts.onModeChange?.(to);
      if (to === 'offline') await fx?.onEnterOffline?.();
      else if (from === 'offline') await fx?.onLeaveOffline?.();
    } catch (err) {
      this.log.error('emergency transition effect failed', { from, to, error: String(err) });
    }
  }
}
