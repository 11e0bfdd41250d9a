/** HttpClient (§4 of ../shared/spec/hearthnet-reference.md client.py): signed, pinned HTTPS calls to peers; implements PeerTransport. */
import { Agent } from 'node:https';
import {
  CallError,
  CONNECTION_IDLE_SECONDS,
  RPC_DEFAULT_TIMEOUT_SECONDS,
  STREAM_ACK_INTERVAL_FRAMES,
  type NodeId,
} from '../../common';
import type { Endpoint } from '../identity';
import type { CallOptions, Frame, PeerAddress, PeerTransport } from './contract';
import { ChunkRecordParser, prepareSigned, type BlobChunksRequest, type PrepareSigned } from './blob-chunks';
import { errorFromReply, pinnedRequest, readResponse, type CancelSignal } from './https-request';
import type { PubSubBatch } from './pubsub';
import { signRequestAsync } from './request-signing';
import { HEADER_STREAM_BATCH, SseReader } from './streams';
import { AckSender } from './ack-sender';
import { busPayload, jsonText, parseObject } from './bus-payload';
import { CallDeadline, deadline } from './call-deadlines';
import type { HttpClientOptions, PublicDoc, SendOptions, SyncChannel, Timed } from './client-types';

export type { HttpClientOptions, SyncChannel } from './client-types';

export class HttpClient implements PeerTransport {
  /** A signed request to a peer for a receiver thread to send (blob-chunks.ts `prepareSigned`). */
  readonly prepareSigned: PrepareSigned = (peer, path, body) => prepareSigned(this.opts, peer, path, body, this.now());
  private readonly agent: Agent;
  private readonly timeoutDefaultMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: HttpClientOptions) {
    this.timeoutDefaultMs = opts.timeoutDefaultMs ?? RPC_DEFAULT_TIMEOUT_SECONDS * 1000;
    this.now = opts.now ?? Date.now;
    // Keep-alive: one TLS handshake per peer address, then reuse. Idle sockets close before the
    // server's own idle limit (CONNECTION_IDLE_SECONDS + 5 s) so a reused socket is never half-closed.
    // No TLS session resumption: a resumed session may not present the certificate we pin against.
    // TCP keep-alive probes only after twice the idle limit, i.e. never on a pooled socket: Node's
    // default (1 s) made every idle pooled socket send a probe and get an ACK each second, so a
    // node's idle traffic grew with the number of peers it had talked to (issue 16: 98 packets a
    // minute per peer, most of the idle bytes on a 25-household street).
    this.agent = new Agent({
      keepAlive: true,
      keepAliveMsecs: 2 * CONNECTION_IDLE_SECONDS * 1000,
      maxSockets: opts.maxSocketsPerPeer ?? 32,
      maxFreeSockets: opts.maxSocketsPerPeer ?? 32,
      timeout: CONNECTION_IDLE_SECONDS * 1000,
      maxCachedSessions: 0,
    });
  }

  /** Signed JSON call to `POST /bus/v1/call`; resolves to the handler's `result`. */
  async call(
    peer: PeerAddress,
    capability: string,
    version: string,
    body: unknown,
    opts: CallOptions = {},
  ): Promise<unknown> {
    const payload = busPayload(capability, version, body, opts, false);
    const reply = (await this.requestJson(
      peer.endpoint,
      peer.nodeId,
      'POST',
      '/bus/v1/call',
      payload,
      { ...opts, signed: true },
      `${capability}@${version}`,
    )) as { result?: unknown } | null; // a peer's JSON: may be null
    return reply?.result ?? null;
  }

  /**
   * Signed streaming call. Yields the producer's frames (not the transport's `ready`/`ack`), ends
   * after `done`, throws CallError on an `error` frame. Acks go back every ack interval; breaking
   * out of the loop (or aborting `opts.signal`) cancels the call on the peer.
   */
  async *stream(
    peer: PeerAddress,
    capability: string,
    version: string,
    body: unknown,
    opts: CallOptions = {},
  ): AsyncGenerator<Frame> {
    const what = `${capability}@${version} stream`;
    const timeoutMs = opts.timeoutMs ?? this.timeoutDefaultMs;
    const dl = deadline(timeoutMs, what, opts.signal);
    let finished = false;
    try {
      const headers = this.opts.streamBatching === false ? undefined : { [HEADER_STREAM_BATCH]: '1' };
      const { res } = await this.send(
        peer.endpoint,
        peer.nodeId,
        'POST',
        '/bus/v1/call',
        busPayload(capability, version, body, opts, true),
        { signed: true, headers },
        dl.ac.signal,
        what,
      );
      if (res.statusCode !== 200 || !(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        const text = (await readResponse(res, dl.ac.signal, what)).toString('utf8');
        finished = true;
        if (res.statusCode !== 200) throw errorFromReply(res.statusCode ?? 0, text, what);
        // The peer answered with a plain result: present it as one chunk and done.
        yield { event: 'chunk', data: { result: parseObject(text, what).result ?? null }, seq: 1 };
        yield { event: 'done', data: {}, seq: 2 };
        return;
      }
      dl.ac.signal.addEventListener('abort', () => finished || res.destroy(), { once: true });
      const reader = new SseReader(
        res,
        () => res.destroy(),
        () => res.resume(),
      );
      let streamId = '';
      const acks = new AckSender((upto) => this.ack(peer, streamId, upto));
      for await (const f of reader) {
        dl.reset();
        if (f.event === 'ready') {
          const id = f.data.stream_id; // the peer's frame
          streamId = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
          acks.interval = Number(f.data.ack_interval) || STREAM_ACK_INTERVAL_FRAMES;
          continue;
        }
        if (f.event === 'error' || f.event === 'done') finished = true;
        if (f.event === 'error') throw errorFromReply(0, JSON.stringify({ error: f.data }), what);
        // The window counts SSE messages: ack once per message, when its last frame arrives.
        if (streamId && reader.endsMessage(f)) acks.received(f.seq);
        if (f.event === 'ack') continue;
        yield f;
      }
      if (!finished) throw new CallError('partition', `${what}: the stream ended without "done"`);
    } catch (err) {
      throw dl.cause(err, finished);
    } finally {
      dl.end(finished);
    }
  }

  /**
   * The binary chunk path (`POST /blobs/v1/chunks`): yields the chunk records a peer streams back,
   * parsed, one at a time (bounded memory). A record's `data` is valid until the next record is
   * pulled (the parser reuses its buffer; see ChunkRecordParser): copy it to keep it.
   * `timeoutMs` limits silence, not the whole transfer.
   */
  async *fetchChunks(
    peer: PeerAddress,
    req: BlobChunksRequest,
    opts: { timeoutMs?: number; signal?: AbortSignal; maxChunkBytes?: number } = {},
  ): AsyncGenerator<{ index: number; data: Uint8Array }> {
    const what = `chunks of ${'blobs' in req ? `${req.blobs.length} files` : req.cid}`;
    const dl = deadline(opts.timeoutMs ?? this.timeoutDefaultMs, what, opts.signal);
    let finished = false;
    try {
      const { res } = await this.send(
        peer.endpoint,
        peer.nodeId,
        'POST',
        '/blobs/v1/chunks',
        req,
        { signed: true },
        dl.ac.signal,
        what,
      );
      if (res.statusCode !== 200) {
        const text = (await readResponse(res, dl.ac.signal, what)).toString('utf8');
        finished = true;
        throw errorFromReply(res.statusCode ?? 0, text, what);
      }
      dl.ac.signal.addEventListener('abort', () => finished || res.destroy(), { once: true });
      const parser = new ChunkRecordParser(opts.maxChunkBytes ?? 16 * 1024 * 1024);
      for await (const bytes of res as AsyncIterable<Buffer>) {
        dl.reset();
        parser.push(bytes);
        for (let r = parser.next(); r; r = parser.next()) yield r;
      }
      finished = true;
      if (!parser.idle) throw new CallError('partition', `${what}: the connection ended inside a chunk`);
    } catch (err) {
      throw dl.cause(err, finished);
    } finally {
      dl.end(finished);
    }
  }

  /** The signed event-sync endpoints of one peer. */
  syncChannel(peer: PeerAddress): SyncChannel {
    return {
      heads: (o = {}) =>
        this.requestJson(
          peer.endpoint,
          peer.nodeId,
          'GET',
          '/sync/v1/heads',
          undefined,
          { ...o, signed: true },
          'sync heads',
        ),
      events: (body, o = {}) =>
        this.requestJson(
          peer.endpoint,
          peer.nodeId,
          'POST',
          '/sync/v1/events',
          body,
          { ...o, signed: true },
          'sync events',
        ),
    };
  }

  /**
   * `POST /join/v1/redeem` (docs/protocol/join-code.md): signed like every peer request, but the
   * inviter answers callers that are not members yet. Resolves to the reply object.
   */
  async redeemJoinCode(
    peer: PeerAddress,
    body: Record<string, unknown>,
    opts: Timed = {},
  ): Promise<Record<string, unknown>> {
    return (await this.requestJson(
      peer.endpoint,
      peer.nodeId,
      'POST',
      '/join/v1/redeem',
      body,
      { ...opts, signed: true },
      'join code',
    )) as Record<string, unknown>;
  }

  /** One long-poll of a peer's topic: items with seq > lastSeq, waiting up to `timeoutS`. */
  async subscribe(
    peer: PeerAddress,
    topic: string,
    lastSeq = 0,
    opts: { timeoutS?: number; signal?: AbortSignal } = {},
  ): Promise<PubSubBatch> {
    const timeoutS = opts.timeoutS ?? 30;
    const q = new URLSearchParams({ topic, last_seq: String(lastSeq), timeout_s: String(timeoutS) });
    return (await this.requestJson(
      peer.endpoint,
      peer.nodeId,
      'GET',
      `/pubsub/v1/subscribe?${q}`,
      undefined,
      { signed: true, signal: opts.signal, timeoutMs: timeoutS * 1000 + 5000 },
      `pubsub ${topic}`,
    )) as PubSubBatch;
  }

  /**
   * GET /manifest over HTTPS WITHOUT a pin: the returned `fingerprint` is what the peer presented.
   * The caller must verify the signed manifest (e.g. `PinnedCerts.acceptManifest(manifest, fingerprint)`).
   */
  async fetchManifest(endpoint: Endpoint, opts: Timed = {}): Promise<PublicDoc> {
    return this.fetchPublic(endpoint, '/manifest', opts, 'node manifest');
  }

  /** GET /community/manifest over HTTPS without a pin (the caller verifies its root signature). */
  async fetchCommunityManifest(endpoint: Endpoint, opts: Timed = {}): Promise<PublicDoc> {
    return this.fetchPublic(endpoint, '/community/manifest', opts, 'community manifest');
  }

  /** Fetch a peer's manifest and pin its certificate from it (trust on first verified manifest). */
  async learnPeer(endpoint: Endpoint, opts: Timed = {}): Promise<Record<string, unknown>> {
    const { manifest, fingerprint } = await this.fetchManifest(endpoint, opts);
    this.opts.pinnedCerts.acceptManifest(manifest, fingerprint);
    return manifest;
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private async fetchPublic(endpoint: Endpoint, path: string, opts: Timed, what: string): Promise<PublicDoc> {
    const dl = deadline(opts.timeoutMs ?? this.timeoutDefaultMs, what, opts.signal);
    try {
      const { res, fingerprint } = await this.send(
        endpoint,
        null,
        'GET',
        path,
        undefined,
        { allowUnpinned: true },
        dl.ac.signal,
        what,
      );
      const text = (await readResponse(res, dl.ac.signal, what)).toString('utf8');
      if (res.statusCode !== 200) throw errorFromReply(res.statusCode ?? 0, text, what);
      return { manifest: parseObject(text, what), fingerprint };
    } finally {
      dl.clear();
    }
  }

  private async ack(peer: PeerAddress, streamId: string, upto: number): Promise<void> {
    await this.requestJson(
      peer.endpoint,
      peer.nodeId,
      'POST',
      '/bus/v1/call/ack',
      { stream_id: streamId, upto },
      { signed: true, timeoutMs: 10_000 },
      'stream ack',
    );
  }

  private async requestJson(
    endpoint: Endpoint,
    nodeId: NodeId,
    method: string,
    path: string,
    body: unknown,
    o: SendOptions,
    what: string,
  ): Promise<unknown> {
    const dl = new CallDeadline(o.timeoutMs ?? this.timeoutDefaultMs, what, o.signal);
    try {
      const { res } = await this.send(endpoint, nodeId, method, path, body, o, dl, what);
      const text = (await readResponse(res, dl, what)).toString('utf8');
      if (res.statusCode !== 200) throw errorFromReply(res.statusCode ?? 0, text, what);
      return parseObject(text, what);
    } finally {
      dl.clear();
    }
  }

  private async send(
    endpoint: Endpoint,
    nodeId: NodeId | null,
    method: string,
    path: string,
    body: unknown,
    o: SendOptions,
    signal: CancelSignal,
    what: string,
  ) {
    let expected: string | null = null;
    if (!o.allowUnpinned) {
      expected = nodeId ? this.opts.pinnedCerts.expected(nodeId) : null;
      if (!expected)
        throw new CallError(
          'forbidden',
          `${what}: no TLS certificate is pinned for node ${nodeId}; learn its manifest first`,
        );
    }
    // The JSON text itself is hashed and sent (a string body goes out in one write with the headers).
    const text = jsonText(body, what);
    const signed =
      o.signed && nodeId
        ? await signRequestAsync(this.opts.kp, { method, path, to: nodeId, body: text ?? '' }, this.now())
        : {};
    const headers = o.headers ? { ...o.headers, ...signed } : signed;
    return pinnedRequest({
      agent: this.agent,
      host: endpoint.host,
      port: endpoint.port,
      method,
      path,
      headers,
      body: text,
      expectedFingerprint: expected,
      signal,
      what,
    });
  }
}
