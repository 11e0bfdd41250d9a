/**
 * Call traces (§5 of ../shared/spec/hearthnet-reference.md): a Trace per capability call with named Spans, carried through
 * awaits by AsyncLocalStorage, kept in a ring buffer of TRACE_RING_BUFFER for `/trace/recent`,
 * and handed to sinks (e.g. a future TrackioExporter) when finished. One Tracer per node.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ulid } from 'ulidx';
import { TRACE_RING_BUFFER, type TraceId } from '../../common';
import { ObservabilityError } from './errors';

/** Spans kept per trace; later spans are counted in `spans_dropped` so a runaway loop stays bounded. */
export const TRACE_MAX_SPANS = 256;

/** A timed step inside a trace. Times are epoch seconds (float), as in the reference. */
export interface Span {
  readonly name: string;
  readonly started_at: number;
  ended_at: number | null;
  readonly extras: Record<string, unknown>;
}

/** One call's trace; wire shape of `/trace/recent` entries. */
export interface Trace {
  readonly trace_id: TraceId;
  readonly capability: string;
  readonly started_at: number;
  ended_at: number | null;
  readonly spans: Span[];
  spans_dropped: number;
}

export type TraceSink = (trace: Trace) => void;

export interface TracerOptions {
  readonly capacity?: number;
  /** Epoch ms; injectable for tests. */
  readonly clock?: () => number;
  /** Called when a sink throws (a sink never breaks a call). */
  readonly onSinkError?: (err: unknown) => void;
}

/** Per-node tracer: context propagation, ring buffer, sinks. */
export class Tracer {
  private readonly als = new AsyncLocalStorage<Trace | undefined>();
  private readonly ring: (Trace | undefined)[];
  private next = 0;
  private count = 0;
  private readonly sinks = new Set<TraceSink>();
  private readonly finished = new WeakSet<Trace>();
  private readonly clock: () => number;
  private readonly onSinkError: (err: unknown) => void;

  constructor(opts: TracerOptions = {}) {
    const capacity = opts.capacity ?? TRACE_RING_BUFFER;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new ObservabilityError('bad_option', `trace capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<Trace | undefined>(capacity);
    this.clock = opts.clock ?? Date.now;
    this.onSinkError = opts.onSinkError ?? (() => undefined);
  }

  private nowSeconds(): number {
    return this.clock() / 1000;
  }

  /** Create a trace and attach it to the current async context (reference `new_trace`). */
  newTrace(capability: string): Trace {
    const trace = this.createTrace(capability);
    this.attach(trace);
    return trace;
  }

  /** Create a trace without attaching it (use with `runWithTrace`). */
  createTrace(capability: string): Trace {
    return {
      trace_id: ulid(this.clock()) as TraceId,
      capability,
      started_at: this.nowSeconds(),
      ended_at: null,
      spans: [],
      spans_dropped: 0,
    };
  }

  currentTrace(): Trace | null {
    return this.als.getStore() ?? null;
  }

  /** Make `trace` current for the rest of this async context (and what it starts). */
  attach(trace: Trace): void {
    this.als.enterWith(trace);
  }

  /** Finish the current trace (if any) and clear the context (reference `detach`). */
  detach(): Trace | null {
    const trace = this.currentTrace();
    this.als.enterWith(undefined);
    if (trace) this.finish(trace);
    return trace;
  }

  /** Run `fn` with `trace` current; does not finish it (a stream may span several runs). */
  runWithTrace<T>(trace: Trace, fn: () => T): T {
    return this.als.run(trace, fn);
  }

  /** Start a trace, run `fn` in it, finish it however `fn` ends. */
  async withTrace<T>(capability: string, fn: (trace: Trace) => Promise<T> | T): Promise<T> {
    const trace = this.createTrace(capability);
    try {
      return await this.als.run(trace, () => fn(trace));
    } finally {
      this.finish(trace);
    }
  }

  /** Close `trace`, push it into the ring buffer and hand it to the sinks. Idempotent. */
  finish(trace: Trace): void {
    if (this.finished.has(trace)) return;
    this.finished.add(trace);
    trace.ended_at = this.nowSeconds();
    this.ring[this.next] = trace;
    this.next = (this.next + 1) % this.ring.length;
    this.count = Math.min(this.count + 1, this.ring.length);
    for (const sink of this.sinks) {
      try {
        sink(trace);
      } catch (err) {
        this.onSinkError(err);
      }
    }
  }

  /**
   * Time `fn` as a span of the current trace (reference `span`). Without a current trace `fn`
   * still runs with a span that is not recorded. A thrown error is noted in `extras.error`.
   */
  async span<T>(name: string, extras: Record<string, unknown>, fn: (span: Span) => Promise<T> | T): Promise<T> {
    const s: Span = { name, started_at: this.nowSeconds(), ended_at: null, extras: { ...extras } };
    const trace = this.currentTrace();
    if (trace) {
      if (trace.spans.length < TRACE_MAX_SPANS) trace.spans.push(s);
      else trace.spans_dropped++;
    }
    try {
      return await fn(s);
    } catch (err) {
      s.extras.error = (err as { code?: unknown }).code ?? (err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      s.ended_at = this.nowSeconds();
    }
  }

  /** The `n` most recently finished traces, newest first. */
  getRecent(n = 100): Trace[] {
    const out: Trace[] = [];
    const take = Math.min(Math.max(0, Math.floor(n)), this.count);
    for (let i = 1; i <= take; i++) {
      const t = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (t) out.push(t); // the `count` newest slots are filled
    }
    return out;
  }

  /** Number of traces held (at most the capacity). */
  get size(): number {
    return this.count;
  }

  /** Register a sink called with each finished trace; returns the unregister function. */
  addTraceSink(sink: TraceSink): () => void {
    this.sinks.add(sink);
    return () => void this.sinks.delete(sink);
  }
}

/** The process-wide tracer behind the convenience functions below. */
export const defaultTracer = new Tracer();

export const newTrace = (capability: string): Trace => defaultTracer.newTrace(capability);
export const currentTrace = (): Trace | null => defaultTracer.currentTrace();
export const attach = (trace: Trace): void => defaultTracer.attach(trace);
export const detach = (): Trace | null => defaultTracer.detach();
export const runWithTrace = <T>(trace: Trace, fn: () => T): T => defaultTracer.runWithTrace(trace, fn);
export const span = <T>(name: string, extras: Record<string, unknown>, fn: (s: Span) => Promise<T> | T): Promise<T> =>
  defaultTracer.span(name, extras, fn);
export const getRecent = (n = 100): Trace[] => defaultTracer.getRecent(n);
export const addTraceSink = (sink: TraceSink): (() => void) => defaultTracer.addTraceSink(sink);
