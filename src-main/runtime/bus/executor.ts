/** Runs a local capability instance: trust, schema, concurrency limit, timeout, cancellation. */
import { HearthError, isHearthError } from '../../common';
import type { NodeId } from '../../common';
import type { FrameData } from '../transport/contract';
import { capabilityLabel } from './capability';
import { abortError, CallScope, isAsyncIterable, jsonBytes } from './deadline';
import type { ParentSignal } from './deadline';
import type { CapabilityEntry } from './entry';
import { FrameWaiter } from './frame-waiter';
import type { SchemaValidator } from './schema';
import { checkTrust } from './trust';
import type { TrustOracle } from './trust';
import { BusError } from './errors';

/** Suggested wait before retrying a full instance when it has no latency history, ms. */
export const CAPACITY_RETRY_AFTER_DEFAULT_MS = 1_000;

export interface LocalCall {
  readonly entry: CapabilityEntry;
  readonly body: unknown;
  readonly caller: NodeId;
  readonly traceId: string;
  readonly sessionId: string | null;
  readonly params: Readonly<Record<string, unknown>> | null;
  readonly stream: boolean;
  /** The caller's signal; a getter for a peer's call, whose signal is made only when read. */
  readonly signal?: ParentSignal;
  /** Caller's own limit; the descriptor's timeout_seconds caps it. For streams: per frame. */
  readonly timeoutMs?: number;
  /** Called once when a stream ends: `ok` or the wire error code, frames and bytes produced. */
  readonly onStreamEnd?: (result: string, stats: { frames: number; bytes: number; last: FrameData | null }) => void;
}

export class LocalExecutor {
  constructor(
    readonly ourNodeId: NodeId,
    readonly trust: TrustOracle,
    readonly schema: SchemaValidator,
  ) {}

  /** Result for unary calls; a guarded frame iterable for `stream: true`. Throws BusError. */
  async run(call: LocalCall): Promise<unknown> {
    const { entry } = call;
    const d = entry.descriptor;
    const label = capabilityLabel(d.name, d.version);
    checkTrust(this.trust, this.ourNodeId, call.caller, d.trust_required, label);
    this.schema.validateRequest(d, call.body);
    if (entry.in_flight >= d.max_concurrent) {
      const retry = Math.ceil(entry.p50_latency_ms ?? CAPACITY_RETRY_AFTER_DEFAULT_MS);
      throw new BusError(
        'capacity_exceeded',
        `${label} is busy (${entry.in_flight} of ${d.max_concurrent} calls running); try again shortly`,
        { details: { retry_after_ms: retry } },
      );
    }
    const handler = entry.handler;
    if (!handler) throw new BusError('not_found', `${label} is not served by this node`);
    const timeoutMs = Math.min(call.timeoutMs ?? Infinity, d.timeout_seconds * 1000);
    const scope = new CallScope(call.signal);
    entry.in_flight++;
    let handedOver = false;
    try {
      if (scope.aborted) throw scope.error(label);
      const ctx = {
        body: call.body,
        caller: call.caller,
        traceId: call.traceId,
        sessionId: call.sessionId,
        get signal() {
          return scope.signal;
        },
        params: call.params ?? {},
        offered: d.params,
        stream: call.stream,
      };
      let out: unknown;
      try {
        out = handler(ctx);
      } catch (err) {
        throw wrapHandlerError(err, label);
      }
      if (!isAsyncIterable(out))
        out = await scope.race(Promise.resolve(out), timeoutMs, label).catch((err: unknown) => {
          throw wrapHandlerError(err, label);
        });
      if (call.stream) {
        if (!isAsyncIterable(out))
          throw new BusError('schema_mismatch', `${label} does not stream; call it without stream`);
        handedOver = true;
        return this.#stream(call, out as AsyncIterable<FrameData>, scope, timeoutMs, label);
      }
      if (isAsyncIterable(out))
        throw new BusError('schema_mismatch', `${label} answers with a stream; call it with stream`);
      this.schema.validateResponse(d, out);
      return out;
    } catch (err) {
      scope.abort(err); // whatever the handler still runs is no longer wanted
      throw err;
    } finally {
      if (!handedOver) {
        entry.in_flight--;
        scope.dispose();
      }
    }
  }

  /**
   * Validates frames, bounds the wait for each, and aborts the producer however the stream
   * ends. The concurrency slot is released exactly once: at the end of iteration, on
   * `return()`/`throw()` even before the first `next()`, or when the caller's signal aborts
   * before anyone started reading.
   */
  #stream(
    call: LocalCall,
    src: AsyncIterable<FrameData>,
    scope: CallScope,
    idleMs: number,
    label: string,
  ): AsyncIterableIterator<FrameData> {
    const it = src[Symbol.asyncIterator]();
    const stats = { frames: 0, bytes: 0, last: null as FrameData | null };
    let settled = false;
    const ctl = scope.controller;
    const waiter = new FrameWaiter(ctl, idleMs, label);
    const settle = (result: string) => {
      if (settled) return;
      settled = true;
      waiter.dispose();
      if (result !== 'ok') ctl.abort(abortError(ctl.signal, label));
      // The producer may be parked on an await that ignores its signal; do not wait for it.
      it.return?.().catch(() => {});
      call.entry.in_flight--;
      scope.dispose();
      call.onStreamEnd?.(result, stats);
    };
    const schema = this.schema;
    async function* frames(): AsyncGenerator<FrameData> {
      let result = 'cancelled'; // unless we reach the end or an error, the consumer stopped early
      try {
        for (;;) {
          const r = await waiter.next(it.next()).catch((err: unknown) => {
            throw wrapHandlerError(err, label);
          });
          if (r.done) break;
          schema.validateStreamFrame(call.entry.descriptor, r.value);
          stats.frames++;
          stats.bytes += jsonBytes(r.value.data);
          stats.last = r.value;
          // done/error are terminal: the stream's outcome is settled even if nobody reads further
          if (r.value.event === 'done') result = 'ok';
          if (r.value.event === 'error')
            result = typeof r.value.data.code === 'string' ? r.value.data.code : 'internal_error';
          yield r.value;
          if (result !== 'cancelled') return;
        }
        result = 'ok';
      } catch (err) {
        result = err instanceof HearthError ? err.wireCode : 'internal_error';
        throw err;
      } finally {
        settle(result);
      }
    }
    const gen = frames();
    let started = false;
    ctl.signal.addEventListener(
      'abort',
      () => {
        if (!started) settle('cancelled');
      },
      { once: true },
    );
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        started = true;
        return gen.next();
      },
      return(value?: unknown) {
        if (!started) settle('cancelled'); // an unstarted generator skips its finally
        return gen.return(value);
      },
      throw(err?: unknown) {
        if (!started) settle('cancelled');
        return gen.throw(err);
      },
    };
  }
}

/** Errors from a handler become BusErrors a peer can read; HearthErrors pass through. */
function wrapHandlerError(err: unknown, label: string): HearthError {
  if (isHearthError(err)) return err;
  return new BusError('internal_error', `${label} failed inside its handler`, { cause: err });
}
