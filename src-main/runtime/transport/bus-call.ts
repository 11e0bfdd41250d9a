/** `POST /bus/v1/call` after the caller is verified: hand the call to the bus; JSON reply or SSE stream. */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import { CallError, type NodeId } from '../../common';
import { compileSchema, Nullable, parseWith } from '../schema';
import { FlowControl, type FlowControlOptions } from './backpressure';
import type { FrameData, InboundCallHandler } from './contract';
import { MessageLedger } from './message-ledger';
import { pumpFrames, STREAM_BATCH_MAX_BYTES, STREAM_BATCH_MAX_DELAY_MS, STREAM_BATCH_MAX_FRAMES } from './stream-pump';
import { SseWriter } from './streams';
import { newTraceId } from './trace-id';
import type { StreamRegistry } from './stream-registry';

/** The JSON body of a bus call (wire names; docs/protocol/transport.md). */
export const BusCallSchema = Type.Object({
  capability: Type.String({
    pattern: '^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$',
    description: 'must be a dotted name such as "llm.chat"',
  }),
  version: Type.String({ pattern: '^\\d+\\.\\d+$', description: 'must look like "1.0"' }),
  body: Type.Optional(Type.Unknown()),
  trace_id: Type.Optional(Type.String({ maxLength: 64 })),
  session_id: Type.Optional(Nullable(Type.String())),
  stream: Type.Optional(Type.Boolean()),
  params: Type.Optional(Nullable(Type.Record(Type.String(), Type.Unknown()))),
});
export type BusCallRequest = Static<typeof BusCallSchema>;

const checkBusCall = compileSchema(BusCallSchema);

/** A bus call body, or CallError('bad_request') naming the field (`version: must look like "1.0"`). */
export function parseBusCall(v: Record<string, unknown>): BusCallRequest {
  return parseWith(checkBusCall, v, (message, field) => new CallError('bad_request', message, { details: { field } }));
}

function isAsyncIterable(v: unknown): v is AsyncIterable<FrameData> {
  return (
    v !== null && typeof v === 'object' && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

export interface BusCallContext {
  readonly handler: InboundCallHandler;
  readonly registry: StreamRegistry;
  readonly flow: FlowControlOptions;
}

/**
 * Runs one call. Returns the JSON result for a plain call; for a stream, writes the SSE response to
 * `out` itself and returns `undefined` (the caller then answers RESPONSE_ALREADY_SENT).
 */
/**
 * `batch`: the caller asked for coalesced SSE messages (`x-hearth-stream-batch: 1`); without it
 * every message holds one frame, as older peers expect.
 */
export async function runBusCall(
  ctx: BusCallContext,
  req: BusCallRequest,
  caller: NodeId,
  out: ServerResponse,
  batch = false,
): Promise<{ result: unknown } | undefined> {
  // The caller going away (disconnect or cancel) aborts the call so the producer stops. The
  // AbortController is made only when someone reads `signal` (or the caller leaves first): a plain
  // call whose handler never looks at it does not pay for an EventTarget.
  let ac: AbortController | null = null;
  let goneReason: CallError | null = null;
  const controller = () => {
    if (!ac) {
      ac = new AbortController();
      if (goneReason) ac.abort(goneReason);
    }
    return ac;
  };
  const onClose = () => {
    if (out.writableFinished) return;
    goneReason = new CallError('cancelled', 'the caller went away');
    ac?.abort(goneReason);
  };
  out.once('close', onClose);
  const wantStream = req.stream === true;
  let result: unknown;
  try {
    result = await ctx.handler.handleInbound({
      capability: req.capability,
      version: req.version,
      body: req.body ?? {},
      caller,
      traceId: req.trace_id ?? newTraceId(),
      sessionId: req.session_id ?? null,
      stream: wantStream,
      params: req.params ?? null,
      get signal() {
        return controller().signal;
      },
    });
  } catch (err) {
    out.off('close', onClose);
    throw err;
  }
  if (!wantStream) {
    out.off('close', onClose);
    if (isAsyncIterable(result)) {
      controller().abort();
      throw new CallError(
        'bad_request',
        `${req.capability}@${req.version} answers with a stream; call it with "stream": true`,
      );
    }
    return { result: result ?? null };
  }
  await writeStream(ctx, caller, out, controller(), isAsyncIterable(result) ? result : once(result), batch);
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async generator is the plain way to make a one-frame AsyncIterable
async function* once(result: unknown): AsyncIterable<FrameData> {
  yield { event: 'chunk', data: { result: result ?? null } };
}

async function writeStream(
  ctx: BusCallContext,
  caller: NodeId,
  out: ServerResponse,
  ac: AbortController,
  frames: AsyncIterable<FrameData>,
  batch: boolean,
): Promise<void> {
  const flow = new FlowControl(ctx.flow);
  const ledger = new MessageLedger();
  const streamId = randomBytes(16).toString('base64url');
  ctx.registry.add(streamId, { caller, flow, ledger });
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-hearth-stream': streamId,
  });
  out.flushHeaders();
  const writer = new SseWriter(out, flow);
  const limits = batch
    ? { maxFrames: STREAM_BATCH_MAX_FRAMES, maxBytes: STREAM_BATCH_MAX_BYTES, maxDelayMs: STREAM_BATCH_MAX_DELAY_MS }
    : { maxFrames: 1, maxBytes: Infinity };
  const it = frames[Symbol.asyncIterator]();
  try {
    const ready: Record<string, unknown> = {
      stream_id: streamId,
      window: flow.window,
      ack_interval: flow.ackInterval,
      ack_timeout_ms: flow.ackTimeoutMs,
    };
    if (batch)
      Object.assign(ready, {
        window_unit: 'message',
        batch_max_frames: limits.maxFrames,
        batch_max_bytes: limits.maxBytes,
        batch_max_delay_ms: limits.maxDelayMs,
      });
    await writer.emit('ready', ready);
    const terminal = await pumpFrames(it, writer, flow, ledger, limits, () => writer.cancelled || ac.signal.aborted);
    if (terminal && !writer.cancelled && !ac.signal.aborted) await writer.emit(terminal.event, terminal.data);
    if (!writer.isEnded && !writer.cancelled) await writer.emitDone();
  } catch (err) {
    // Ack timeout, producer failure or a thrown HearthError: tell the caller, stop the producer.
    if (!ac.signal.aborted) ac.abort(err);
    if (!writer.cancelled && !writer.isEnded) await writer.emitThrown(err);
  } finally {
    ctx.registry.delete(streamId);
    flow.close();
    // Stop the producer; do not wait for it (it may be parked on an await that ignores the signal).
    it.return?.().catch(() => {});
    if (!out.writableEnded) out.end();
  }
}
