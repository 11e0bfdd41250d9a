/**
 * The seam between the transport (X01) and the capability bus (M03): what the HTTP server hands
 * the bus for an inbound call, and what the bus asks of the client for an outbound one.
 */
import type { NodeId } from '../../common';
import type { Endpoint } from '../identity';

/** Stream frame kinds (§4 of ../shared/spec/hearthnet-reference.md streams.py). */
export const FRAME_EVENTS = [
  'token',
  'chunk',
  'progress',
  'ack',
  'done',
  'error',
  'manifest',
  'ready',
  'tool_call_delta',
] as const;
export type FrameEvent = (typeof FRAME_EVENTS)[number];

/** One SSE frame on the wire; `seq` counts from 1 per stream. */
export interface Frame {
  readonly event: FrameEvent;
  readonly data: Record<string, unknown>;
  readonly seq: number;
}

/** A frame as a producer yields it; the transport numbers it. */
export interface FrameData {
  readonly event: FrameEvent;
  readonly data: Record<string, unknown>;
}

/** Where a peer is and who it must prove to be (its full node id pins its TLS certificate). */
export interface PeerAddress {
  readonly nodeId: NodeId;
  readonly endpoint: Endpoint;
}

export interface CallOptions {
  readonly traceId?: string;
  readonly sessionId?: string | null;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Requested instance params (§21 keys), e.g. `{ model: 'stories260K' }`. */
  readonly params?: Readonly<Record<string, unknown>> | null;
}

/** Outbound: what the bus needs from the HTTP client. Failures throw CallError. */
export interface PeerTransport {
  call(peer: PeerAddress, capability: string, version: string, body: unknown, opts?: CallOptions): Promise<unknown>;
  stream(
    peer: PeerAddress,
    capability: string,
    version: string,
    body: unknown,
    opts?: CallOptions,
  ): AsyncIterable<Frame>;
}

/** Inbound: a `POST /bus/v1/call` whose signature the server has verified. */
export interface InboundCall {
  readonly capability: string;
  readonly version: string;
  readonly body: unknown;
  /** Full node id of the verified caller. */
  readonly caller: NodeId;
  readonly traceId: string;
  readonly sessionId: string | null;
  readonly stream: boolean;
  /** Requested instance params, when the caller sent them. */
  readonly params?: Readonly<Record<string, unknown>> | null;
  /** Aborted when the caller goes away or cancels. */
  readonly signal: AbortSignal;
}

/**
 * Implemented by the bus. Resolves to the JSON result, or (for `stream: true`) to an async
 * iterable of frames; the server adds `done` if the iterable ends without one, and turns a
 * thrown HearthError into an `error` frame or `{ error }` body.
 */
export interface InboundCallHandler {
  /** Resolves to the reply: a value, or an AsyncIterable<FrameData> for a stream. */
  handleInbound(call: InboundCall): Promise<unknown>;
}
