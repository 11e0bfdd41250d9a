/**
 * What the street simulator learns from its nodes' log lines (`run --debug` writes JSON lines to
 * stderr): who sees whom ("neighbour found" / "neighbour gone") and when each event was stored on
 * each node ("event stored"), timestamped as the lines arrive. Costs the nodes nothing extra.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface NodeView {
  readonly peers: Set<string>;
  /** event_id -> ms (performance.now of the runner) when this node stored it. */
  readonly stored: Map<string, number>;
}

export interface StoredEvent {
  readonly eventId: string;
  readonly author: string;
  readonly type: string;
}

export class StreetObserver {
  readonly views: NodeView[];
  /** Every event seen stored anywhere, with its author and type. */
  readonly events = new Map<string, StoredEvent>();
  private readonly waiters = new Set<() => void>();

  constructor(n: number) {
    this.views = Array.from({ length: n }, () => ({ peers: new Set<string>(), stored: new Map<string, number>() }));
  }

  /** Follow node `i`'s stderr. Lines that are not our JSON are passed to `onOther`. */
  follow(i: number, stream: Readable, onOther?: (line: string) => void): void {
    createInterface({ input: stream }).on('line', (line) => this.onLine(i, line, performance.now(), onOther));
  }

  onLine(i: number, line: string, at: number, onOther?: (line: string) => void): void {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      onOther?.(line);
      return;
    }
    const v = this.views[i];
    if (rec.msg === 'neighbour found' && typeof rec.peer === 'string') v.peers.add(rec.peer);
    else if (rec.msg === 'neighbour gone' && typeof rec.peer === 'string') v.peers.delete(rec.peer);
    else if (rec.msg === 'event stored' && typeof rec.event_id === 'string') {
      if (!v.stored.has(rec.event_id)) v.stored.set(rec.event_id, at);
      if (!this.events.has(rec.event_id))
        this.events.set(rec.event_id, {
          eventId: rec.event_id,
          author: String(rec.author),
          type: String(rec.event_type),
        });
    } else if (rec.level === 'error' || rec.level === 'warn') onOther?.(line);
    else return;
    for (const w of this.waiters) w();
  }

  /** Resolves when `cond()` holds (checked on every relevant line and every 250 ms), or rejects after `timeoutMs`. */
  until(cond: () => boolean, timeoutMs: number, what: string): Promise<number> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        done();
        resolve(performance.now() - started);
      };
      const tick = setInterval(check, 250);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearInterval(tick);
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Milliseconds from the first node storing `eventId` to the last of `among` storing it; null if some have not. */
  spread(eventId: string, among: readonly number[]): number | null {
    const times = among.map((i) => this.views[i].stored.get(eventId));
    if (times.some((t) => t === undefined)) return null;
    const ts = times as number[];
    return Math.max(...ts) - Math.min(...ts);
  }
}

/** The q-quantile (0..1) of `xs` by nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
