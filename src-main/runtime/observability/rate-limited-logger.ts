/** Drops repeats of the same message key within a window (§3.2 of ../shared/spec/hearthnet-reference.md RateLimitedLogger). */
import type { Logger } from './logger';

/** Keys remembered at most; the oldest are forgotten first so memory stays bounded. */
export const RATE_LIMIT_MAX_KEYS = 10_000;

/**
 * Emits a key at most once per `perKeySeconds`; the next emitted line for that key carries
 * `suppressed: <count>` of the lines dropped since. `clock` is epoch ms (injectable).
 */
export class RateLimitedLogger {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly perKeySeconds = 1,
    private readonly clock: () => number = Date.now,
  ) {}

  info(msg: string, key: string, extras: Record<string, unknown> = {}): void {
    this.emit('info', msg, key, extras);
  }

  warn(msg: string, key: string, extras: Record<string, unknown> = {}): void {
    this.emit('warn', msg, key, extras);
  }

  /** Alias matching the reference's `warning`. */
  warning(msg: string, key: string, extras: Record<string, unknown> = {}): void {
    this.emit('warn', msg, key, extras);
  }

  error(msg: string, key: string, extras: Record<string, unknown> = {}): void {
    this.emit('error', msg, key, extras);
  }

  private emit(level: 'info' | 'warn' | 'error', msg: string, key: string, extras: Record<string, unknown>): void {
    const now = this.clock();
    const prev = this.last.get(key);
    if (prev && now - prev.at < this.perKeySeconds * 1000) {
      prev.suppressed++;
      return;
    }
    const suppressed = prev?.suppressed ?? 0;
    this.last.delete(key); // re-insert so Map order is least-recently-emitted first
    this.last.set(key, { at: now, suppressed: 0 });
    const oldest = this.last.keys().next();
    if (this.last.size > RATE_LIMIT_MAX_KEYS && !oldest.done) this.last.delete(oldest.value);
    this.logger.log(
      level,
      msg,
      suppressed > 0 ? { ...extras, rate_key: key, suppressed } : { ...extras, rate_key: key },
    );
  }
}
