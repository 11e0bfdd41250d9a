/** A timer-driven job that is a Startable: runs on a pace, never overlaps itself, stops cleanly. */
import { realTimers, type Timers } from '../../common';

/**
 * Runs `fn` every `intervalMs` (never overlapping itself) until stopped; failures go to `onError`.
 * `intervalMs` may be a function: read after each run, so a part can change its own pace.
 */
export class PeriodicTask {
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private nextAt = 0;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(
    private readonly fn: () => Promise<void> | void,
    private readonly intervalMs: number | (() => number),
    private readonly onError: (err: unknown) => void = () => {},
    clock: { timers?: Timers; now?: () => number } = {},
  ) {
    this.timers = clock.timers ?? realTimers;
    this.now = clock.now ?? (() => performance.now());
  }

  start({ immediately = false } = {}): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(immediately ? 0 : this.interval());
  }

  /** Run now (e.g. on a registry change) unless a run is already under way. */
  trigger(): void {
    if (this.stopped || this.running) return;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private interval(): number {
    return typeof this.intervalMs === 'function' ? this.intervalMs() : this.intervalMs;
  }

  /** Bring the next run forward to at most `ms` from now (no-op while running or when it is sooner already). */
  hurry(ms: number): void {
    if (this.stopped || this.running || !this.timer) return;
    if (this.nextAt - this.now() <= ms) return;
    this.timers.clearTimeout(this.timer);
    this.schedule(ms);
  }

  private schedule(delay: number): void {
    this.nextAt = this.now() + delay;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.running = (async () => {
        try {
          await this.fn();
        } catch (err) {
          this.onError(err);
        }
      })().finally(() => {
        this.running = null;
        if (!this.stopped) this.schedule(this.interval());
      });
    }, delay);
  }
}
