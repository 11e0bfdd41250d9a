/**
 * `hearthnet doctor` (§6 of ../shared/spec/hearthnet-reference.md): named, async, guarded, time-bounded health checks. Modules
 * register their own checks (the bus adds at_least_one_capability, the LLM service
 * llm_backend_reachable) the same way the standard ones are registered.
 */
import type { Config, Env } from '../config';
import { ObservabilityError } from './errors';

/** Outcome of one check (§6.1). `fix` is a step a non-technical user can follow. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix: string | null;
  /** How long the check took. */
  readonly duration_ms: number;
}

/** What a check returns; the Doctor adds the name and timing. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string | null;
}

/** A peer's clock as the node saw it: `skew_ms` = peer wall clock minus ours when received. */
export interface PeerClock {
  readonly node_id: string;
  readonly skew_ms: number;
}

/** Everything a check may look at. The node composition root fills it in. */
export interface DoctorContext {
  readonly config: Config;
  readonly env?: Env;
  /** The capability bus, typed by the checks that need it (kept opaque here to avoid a dependency). */
  readonly bus?: unknown;
  /** Name of the community this node belongs to, from community state; null if none. */
  readonly communityName?: () => string | null;
  /** The transport port our own running node holds (so transport_port does not flag it). */
  readonly ownTransportPort?: number | null;
  /** Recently observed peer clocks, for clock_sanity. */
  readonly peerClocks?: () => readonly PeerClock[];
  /** Epoch ms; injectable for tests. */
  readonly now?: () => number;
  /** Anything else a module-specific check needs. */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** A check. `signal` aborts when the check runs past its time bound. */
export type Check = (ctx: DoctorContext, signal: AbortSignal) => Promise<CheckOutcome> | CheckOutcome;

/** Time a single check may take before it is reported as failed. */
export const DOCTOR_CHECK_TIMEOUT_MS = 5_000;

export interface DoctorOptions {
  readonly timeoutMs?: number;
}

/** A registry of checks; run them all or one by name. */
export class Doctor {
  private readonly checks = new Map<string, Check>();
  private readonly timeoutMs: number;

  constructor(opts: DoctorOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DOCTOR_CHECK_TIMEOUT_MS;
  }

  /** Add a check. Names are unique: registering one twice is a bug (`duplicate_check`). */
  register(name: string, check: Check): void {
    if (this.checks.has(name))
      throw new ObservabilityError('duplicate_check', `a doctor check named "${name}" is already registered`, {
        details: { name },
      });
    this.checks.set(name, check);
  }

  /** Registered check names, in registration order. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Run every check one after another (several bind the same sockets), in registration order. */
  async runAll(ctx: DoctorContext): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const name of this.checks.keys()) results.push(await this.runOne(name, ctx));
    return results;
  }

  /** Run one check by name; an unknown name is `unknown_check` listing the known ones. */
  async runOne(name: string, ctx: DoctorContext): Promise<CheckResult> {
    const check = this.checks.get(name);
    if (!check) {
      const known = this.names();
      throw new ObservabilityError(
        'unknown_check',
        `there is no doctor check named "${name}"; known checks: ${known.join(', ') || '(none)'}`,
        {
          details: { name, known },
        },
      );
    }
    const started = Date.now();
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(() => {
        ac.abort();
        resolve({
          ok: false,
          detail: `the check did not finish within ${this.timeoutMs} ms`,
          fix: 'Try again in a minute; if it keeps happening, restart HearthNet.',
        });
      }, this.timeoutMs);
      timer.unref();
    });
    let outcome: CheckOutcome;
    try {
      outcome = await Promise.race([Promise.resolve().then(() => check(ctx, ac.signal)), timeout]);
    } catch (err) {
      outcome = {
        ok: false,
        detail: `the check itself failed: ${err instanceof Error ? err.message : String(err)}`,
        fix: null,
      };
    } finally {
      clearTimeout(timer);
    }
    return Object.freeze({
      name,
      ok: outcome.ok,
      detail: outcome.detail,
      fix: outcome.fix ?? null,
      duration_ms: Date.now() - started,
    });
  }
}
