/** Test helper: a manual TimerClock. `advance(ms)` fires due timers in order, draining async work after each. */
import type { TimerClock } from '../../../src-main/runtime/emergency';

const drain = () => new Promise<void>((r) => setImmediate(r));

export class FakeClock implements TimerClock {
  t = Date.parse('2026-05-26T08:00:00Z');
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, running every timer that falls due (bounded to 10 000 firings). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await drain();
    for (let i = 0; i < 10_000; i++) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= end && (next === null || e[1].at < next[1].at)) next = e;
      if (next === null) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await drain();
      await drain();
    }
    this.t = end;
  }
}
