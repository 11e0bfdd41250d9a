/** M03 §3.6 of ../shared/spec/hearthnet-reference.md: one record per call, kept in a ring buffer and fanned out to listeners (metrics, tracer). */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { errorMessage } from '../../common/error-message';
import { TRACE_RING_BUFFER, toWallClock, type NodeId } from '../../common';
import type { CapabilityEntry, RouteRequest } from './entry';

/** Outcome of a call: `ok`, or the wire error code. */
export type CallResult = string;

/** Wire shape (served by GET /trace/recent): snake_case, never renamed. */
export interface CallTraceEvent {
  readonly ts: string;
  readonly trace_id: string;
  readonly capability: string;
  readonly version: string;
  readonly from_node: NodeId;
  readonly to_node: NodeId;
  readonly is_local: boolean;
  readonly result: CallResult;
  readonly ms: number;
  readonly tokens_in: number | null;
  readonly tokens_out: number | null;
  readonly bytes_in: number;
  readonly bytes_out: number;
}

export interface CallEnd {
  readonly result: CallResult;
  readonly latencyMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly tokensIn?: number | null;
  readonly tokensOut?: number | null;
}

export type TraceListener = (event: CallTraceEvent) => void;
export type CallStartListener = (req: RouteRequest, entry: CapabilityEntry) => void;

export interface TraceHookInit {
  capacity?: number;
  now?: () => number;
  /** Where a throwing listener is reported (the components' `bus` logger; default: the process-wide one). */
  log?: Logger;
}

export class TraceHook {
  readonly capacity: number;
  readonly #ring: CallTraceEvent[] = [];
  #next = 0;
  readonly #listeners = new Set<TraceListener>();
  readonly #startListeners = new Set<CallStartListener>();
  readonly #now: () => number;
  readonly #log: Logger;

  constructor(init: TraceHookInit = {}) {
    this.capacity = Math.max(1, init.capacity ?? TRACE_RING_BUFFER);
    this.#now = init.now ?? Date.now;
    this.#log = init.log ?? getLogger('bus');
  }

  /** Listener for finished calls; returns the unsubscribe function. */
  addListener(fn: TraceListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Listener for started calls (e.g. active-stream gauges); returns the unsubscribe function. */
  addStartListener(fn: CallStartListener): () => void {
    this.#startListeners.add(fn);
    return () => this.#startListeners.delete(fn);
  }

  /** toWallClock (whole seconds) of the last second seen: one Date and ISO string per second, not per call. */
  #clockSecond = -1;
  #clockText = '';
  #wallClock(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.#clockSecond) {
      this.#clockSecond = second;
      this.#clockText = toWallClock(new Date(second * 1000));
    }
    return this.#clockText;
  }

  onCallStart(req: RouteRequest, entry: CapabilityEntry): void {
    for (const l of [...this.#startListeners]) this.#safely(() => l(req, entry));
  }

  /** `fromNode` is the caller; the callee is the entry's node. */
  onCallEnd(req: RouteRequest, entry: CapabilityEntry, end: CallEnd, fromNode: NodeId = req.caller): CallTraceEvent {
    const ev: CallTraceEvent = Object.freeze({
      ts: this.#wallClock(this.#now()),
      trace_id: req.traceId,
      capability: req.capability,
      version: entry.spec.version,
      from_node: fromNode,
      to_node: entry.node_id,
      is_local: entry.is_local,
      result: end.result,
      ms: Math.round(end.latencyMs * 1000) / 1000,
      tokens_in: end.tokensIn ?? null,
      tokens_out: end.tokensOut ?? null,
      bytes_in: end.bytesIn,
      bytes_out: end.bytesOut,
    });
    if (this.#ring.length < this.capacity) this.#ring.push(ev);
    else this.#ring[this.#next] = ev;
    this.#next = (this.#next + 1) % this.capacity;
    for (const l of [...this.#listeners]) this.#safely(() => l(ev));
    return ev;
  }

  /** The last `n` events, oldest first. */
  recent(n = 50): CallTraceEvent[] {
    const ordered =
      this.#ring.length < this.capacity
        ? this.#ring
        : [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
    return ordered.slice(Math.max(0, ordered.length - Math.max(0, n)));
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.warn('a trace listener failed', { error: errorMessage(err) });
    }
  }
}
