/** Per-peer, per-capability and total request rate limits (§4 of ../shared/spec/hearthnet-reference.md `RateLimiter`, §0.2). */
import {
  RATE_LIMIT_HARD_RPS_PER_CAP,
  RATE_LIMIT_HARD_RPS_TOTAL,
  RATE_LIMIT_SOFT_RPS_PER_CAP,
  RATE_LIMIT_SOFT_RPS_TOTAL,
} from '../../common';

/** Result of one `check`; snake_case as in the reference. */
export interface RateCheck {
  readonly allowed: boolean;
  /** Allowed, but above the soft rate: the server slows the call down. */
  readonly soft_exceeded: boolean;
  /** When refused (or slowed), how long until a token is free. 0 otherwise. */
  readonly retry_after_ms: number;
}

export interface RateLimiterOptions {
  /** Requests per second per (peer, capability) before calls are slowed. */
  readonly softPerCap?: number;
  /** Requests per second per (peer, capability) before calls are refused. */
  readonly hardPerCap?: number;
  readonly softTotal?: number;
  readonly hardTotal?: number;
  /** Clock in ms (injectable for tests). */
  readonly now?: () => number;
  /** Metrics hook: hearthnet_rate_limited_total{capability,reason}. */
  readonly onRateLimited?: (capability: string, reason: 'soft' | 'hard') => void;
  /** Bound on tracked (peer, capability) pairs; idle full buckets are dropped past it. */
  readonly maxKeys?: number;
}

/** A token bucket holding at most `rate` tokens (one second of burst), refilled at `rate`/s. */
class Bucket {
  tokens: number;
  last: number;
  constructor(
    readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }
  refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }
  /** ms until one token is available. */
  waitMs(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }
}

interface Pair {
  soft: Bucket;
  hard: Bucket;
}

export class RateLimiter {
  private readonly pairs = new Map<string, Pair>();
  private readonly total: Pair;
  private readonly now: () => number;
  private readonly o: Required<Omit<RateLimiterOptions, 'now' | 'onRateLimited'>>;

  constructor(private readonly opts: RateLimiterOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.o = {
      softPerCap: opts.softPerCap ?? RATE_LIMIT_SOFT_RPS_PER_CAP,
      hardPerCap: opts.hardPerCap ?? RATE_LIMIT_HARD_RPS_PER_CAP,
      softTotal: opts.softTotal ?? RATE_LIMIT_SOFT_RPS_TOTAL,
      hardTotal: opts.hardTotal ?? RATE_LIMIT_HARD_RPS_TOTAL,
      maxKeys: opts.maxKeys ?? 10_000,
    };
    const t = this.now();
    this.total = { soft: new Bucket(this.o.softTotal, t), hard: new Bucket(this.o.hardTotal, t) };
  }

  /** Counts one request of `peerNodeId` to `capability` and says whether it may proceed. */
  check(peerNodeId: string, capability: string): RateCheck {
    const now = this.now();
    const pair = this.pairOf(`${peerNodeId}\n${capability}`, now);
    for (const b of [pair.soft, pair.hard, this.total.soft, this.total.hard]) b.refill(now);
    if (pair.hard.tokens < 1 || this.total.hard.tokens < 1) {
      this.opts.onRateLimited?.(capability, 'hard');
      return {
        allowed: false,
        soft_exceeded: true,
        retry_after_ms: Math.max(pair.hard.waitMs(), this.total.hard.waitMs()),
      };
    }
    pair.hard.tokens -= 1;
    this.total.hard.tokens -= 1;
    const softOk = pair.soft.tokens >= 1 && this.total.soft.tokens >= 1;
    if (softOk) {
      pair.soft.tokens -= 1;
      this.total.soft.tokens -= 1;
      return { allowed: true, soft_exceeded: false, retry_after_ms: 0 };
    }
    this.opts.onRateLimited?.(capability, 'soft');
    return {
      allowed: true,
      soft_exceeded: true,
      retry_after_ms: Math.max(pair.soft.waitMs(), this.total.soft.waitMs()),
    };
  }

  private pairOf(key: string, now: number): Pair {
    let pair = this.pairs.get(key);
    if (!pair) {
      if (this.pairs.size >= this.o.maxKeys) this.sweep(now);
      pair = { soft: new Bucket(this.o.softPerCap, now), hard: new Bucket(this.o.hardPerCap, now) };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  /** Drop pairs whose buckets have refilled: forgetting them changes no decision. */
  private sweep(now: number): void {
    for (const [key, p] of this.pairs) {
      p.hard.refill(now);
      p.soft.refill(now);
      if (p.hard.tokens >= p.hard.rate && p.soft.tokens >= p.soft.rate) this.pairs.delete(key);
    }
  }
}
