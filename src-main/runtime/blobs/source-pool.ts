/** Which source to ask for the next chunk: spread evenly, favour the fast, drop the failing. */

/** What the transfer knows about one source. */
export interface SourceState {
  readonly id: string;
  /** Start times (ms) of this source's requests in flight. */
  readonly started: number[];
  assigned: number;
  successes: number;
  failures: number;
  consecutiveFailures: number;
  /** Smoothed time per chunk in ms (0 until the first success). */
  ewmaMs: number;
  dropped: boolean;
  lastError: string | null;
}

/** Weight of the newest sample in the per-source latency average. */
const EWMA_ALPHA = 0.3;

/**
 * Expected ms per chunk: the average so far, or longer if a request has been out longer than
 * that (so a source that has not answered yet looks slow, not free).
 */
function estimateMs(s: SourceState, now: number): number {
  const oldest = s.started.length ? Math.min(...s.started) : now;
  return Math.max(1, s.ewmaMs, now - oldest);
}

export class SourcePool {
  readonly sources: SourceState[];

  constructor(
    ids: readonly string[],
    private readonly maxConsecutiveFailures: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sources = [...new Set(ids)].map((id) => ({
      id,
      started: [],
      assigned: 0,
      successes: 0,
      failures: 0,
      consecutiveFailures: 0,
      ewmaMs: 0,
      dropped: false,
      lastError: null,
    }));
  }

  live(): SourceState[] {
    return this.sources.filter((s) => !s.dropped);
  }

  /**
   * The live source expected to finish a new chunk soonest: (in flight + 1) x estimateMs.
   * Before any timings this is plain round-robin (fewest assigned). Sources in `avoid` (already
   * failed this chunk) are used only when no other live source is left. Null when none is live.
   */
  pick(avoid: ReadonlySet<string>): SourceState | null {
    const live = this.live();
    const fresh = live.filter((s) => !avoid.has(s.id));
    const now = this.now();
    let best: SourceState | null = null;
    let bestScore = Infinity;
    for (const s of fresh.length ? fresh : live) {
      const score = (s.started.length + 1) * estimateMs(s, now);
      if (score < bestScore || (score === bestScore && best && s.assigned < best.assigned)) {
        best = s;
        bestScore = score;
      }
    }
    if (best) best.assigned++;
    return best;
  }

  /** Marks a request to `s` as started; returns its start time for `end`. */
  begin(s: SourceState): number {
    const t = this.now();
    s.started.push(t);
    return t;
  }

  /** Ends a request begun at `t`; on success its duration feeds the average. */
  end(s: SourceState, t: number, ok: boolean, reason = ''): void {
    const i = s.started.indexOf(t);
    if (i >= 0) s.started.splice(i, 1);
    if (ok) {
      const ms = Math.max(1, this.now() - t);
      s.successes++;
      s.consecutiveFailures = 0;
      s.ewmaMs = s.ewmaMs === 0 ? ms : s.ewmaMs * (1 - EWMA_ALPHA) + ms * EWMA_ALPHA;
      return;
    }
    s.failures++;
    s.consecutiveFailures++;
    s.lastError = reason;
    // A source failing this many times in a row is dropped for the rest of the transfer.
    if (s.consecutiveFailures >= this.maxConsecutiveFailures) s.dropped = true;
  }

  /** A per-source summary for error details and logs. */
  report(): { source: string; chunks: number; failures: number; dropped: boolean; last_error: string | null }[] {
    return this.sources.map((s) => ({
      source: s.id,
      chunks: s.successes,
      failures: s.failures,
      dropped: s.dropped,
      last_error: s.lastError,
    }));
  }
}
