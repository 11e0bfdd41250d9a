/** The Hono app behind the transport port: public endpoints, signed peer endpoints, one error mapping. */
import type { Socket } from 'node:net';
import { chunkRecordHeader, parseBlobChunksRequest, type BlobEndpoint } from './blob-chunks';
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { CallError, TRACE_RING_BUFFER, toWireError, HTTP_STATUS, type NodeId, type PeerRefusal } from '../../common';
import type { FlowControlOptions } from './backpressure';
import { parseBusCall, runBusCall } from './bus-call';
import { DEFAULT_BODY_LIMIT_BYTES, isLoopback, isTls, parseJsonObject, readBody } from './conn-info';
import type { InboundCallHandler } from './contract';
import type { PubSubServer } from './pubsub';
import type { RateLimiter } from './rate-limit';
import type { RequestVerifier } from './request-signing';
import { HEADER_STREAM_BATCH } from './streams';
import type { StreamRegistry } from './stream-registry';

/** Longest delay a call above the soft rate limit is held before it runs. */
export const SOFT_LIMIT_MAX_DELAY_MS = 250;

/** The event-sync endpoints' provider (X02 sync owns the JSON shapes). */
export interface SyncEndpoints {
  heads(caller: NodeId): Promise<unknown>;
  events(caller: NodeId, body: Record<string, unknown>): Promise<unknown>;
}

export interface PeerAppDeps {
  readonly nodeId: string;
  readonly startedAtMs: number;
  readonly now: () => number;
  readonly verifier: RequestVerifier;
  readonly registry: StreamRegistry;
  readonly flow: FlowControlOptions;
  readonly isReady: () => boolean;
  readonly bodyLimitBytes?: number;
  readonly handler?: InboundCallHandler;
  /** Signed node manifest to serve at GET /manifest. */
  readonly nodeManifest?: () => unknown; // a value or a promise of one
  readonly communityManifest?: () => unknown; // a value or a promise of one
  readonly sync?: SyncEndpoints;
  readonly pubsub?: PubSubServer;
  /** Membership check for every signed endpoint: false -> 403 forbidden. Absent: any verified node. */
  readonly isAllowed?: (callerNodeId: NodeId) => boolean;
  /** Whether a refused caller was revoked (not merely unknown): the refusal then says so. */
  readonly isRevoked?: (callerNodeId: NodeId) => boolean;
  readonly rateLimiter?: RateLimiter;
  readonly metricsText?: () => Promise<string>;
  readonly traceRecent?: (n: number) => unknown; // a value or a promise of one
  /** Serves `POST /blobs/v1/chunks` (the binary file path). */
  readonly blobs?: BlobEndpoint;
  /**
   * Serves `POST /join/v1/redeem`: a verified caller who is NOT yet a member trades a join code
   * for an invite bound to its node id (docs/protocol/join-code.md). Rate-limited per caller.
   */
  readonly join?: (caller: NodeId, body: Record<string, unknown>) => Promise<unknown>;
}

type Env = { Bindings: HttpBindings };
type C = Context<Env>;

/** Paths of the signed peer endpoints (HTTPS only): `/bus/*`, `/sync/*`, `/pubsub/*`, `/blobs/*`, `/join/*`. */
const PEER_PATH = /^\/(bus|sync|pubsub|blobs|join)(\/|$)/;

/**
 * 403 for a verified caller who is not (or no longer) a member. The wire error's `reason`
 * (`revoked` | `not_member`) says which, for the caller's code; the message says it for people.
 */
function refusal(revoked: boolean): CallError {
  return revoked
    ? new CallError(
        'forbidden',
        `the community ${REVOKED_MARK}: its calls and syncs are refused; if that is a mistake, a trusted member can invite it again`,
        { reason: 'revoked' satisfies PeerRefusal },
      )
    : new CallError('forbidden', `this node ${NOT_MEMBER_MARK} of its community`, {
        reason: 'not_member' satisfies PeerRefusal,
      });
}

const REVOKED_MARK = "removed this caller's node (revoked)";
const NOT_MEMBER_MARK = 'accepts calls only from members';

/** Why a peer refused us, from its 403's `reason` (see `refusal`); null for any other error. */
export function refusalReason(err: unknown): PeerRefusal | null {
  if (!(err instanceof CallError) || err.wireCode !== 'forbidden') return null;
  if (err.reason === 'revoked' || err.reason === 'not_member') return err.reason;
  if (err.reason !== null) return null;
  // Compatibility only: peers that predate the wire error's `reason` field said it in the message
  // alone. Remove once no such peers remain.
  if (err.message.includes(REVOKED_MARK)) return 'revoked';
  if (err.message.includes(NOT_MEMBER_MARK)) return 'not_member';
  return null;
}

export function createPeerApp(d: PeerAppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const limit = d.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  // The one mapping point from thrown errors to the wire.
  app.onError((err, c) => {
    const wire = toWireError(err);
    if (wire.code === 'payload_too_large') c.header('connection', 'close');
    if (wire.retry_after_ms !== undefined) c.header('retry-after', String(Math.ceil(wire.retry_after_ms / 1000)));
    return c.json({ error: wire }, HTTP_STATUS[wire.code] as 400);
  });
  // Peer endpoints are HTTPS only: their callers prove who they are and see a pinned certificate.
  // Checked first thing in each peer route and in notFound (same answers as a `/bus/*` middleware,
  // without Hono composing a middleware chain for every request).
  const tlsOnly = (c: C) => {
    if (!isTls(c.env.incoming))
      throw new CallError(
        'forbidden',
        'peer endpoints are served over HTTPS only; plain HTTP reaches /health, /ready, /manifest and /community/manifest',
      );
  };
  app.notFound((c) => {
    if (PEER_PATH.test(c.req.path)) tlsOnly(c as C);
    throw new CallError('not_found', 'no such endpoint');
  });

  const admit = (caller: NodeId) => {
    if (d.isAllowed && !d.isAllowed(caller)) throw refusal(d.isRevoked?.(caller) ?? false);
  };

  /** Verify signature + membership (+ rate when `rateKey`); returns the caller and the raw body. */
  const verified = async (
    c: C,
    rateKey: string | null,
    membersOnly = true,
  ): Promise<{ caller: NodeId; body: Uint8Array }> => {
    const inc = c.env.incoming;
    const body = inc.method === 'GET' ? new Uint8Array(0) : await readBody(inc, limit);
    // Headers straight from node's IncomingMessage (lower-cased): cheaper than building a fetch Headers.
    const header = (n: string) => {
      const v = inc.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    // Membership is checked inside the verifier, before the nonce is recorded (issue 15 item 5);
    // `/join` is the one signed endpoint open to non-members.
    const caller = await d.verifier.verifyAsync(
      { method: inc.method ?? 'GET', path: inc.url ?? '/', header, body },
      membersOnly ? admit : undefined,
    );
    if (rateKey) await rateGate(caller, rateKey);
    return { caller, body };
  };

  /** Hard limit -> 429 with retry_after_ms; soft limit -> the call waits a little, then runs. */
  const rateGate = async (caller: NodeId, key: string): Promise<void> => {
    if (!d.rateLimiter) return;
    const rc = d.rateLimiter.check(caller, key);
    if (!rc.allowed)
      throw new CallError('capacity_exceeded', `too many calls to ${key} from this node; slow down`, {
        retryAfterMs: rc.retry_after_ms,
      });
    if (rc.soft_exceeded) await new Promise((r) => setTimeout(r, Math.min(rc.retry_after_ms, SOFT_LIMIT_MAX_DELAY_MS)));
  };

  app.post('/bus/v1/call', async (c) => {
    tlsOnly(c);
    if (!d.handler) throw new CallError('not_found', 'this node serves no capabilities');
    const { caller, body } = await verified(c, null);
    const req = parseBusCall(parseJsonObject(body));
    await rateGate(caller, req.capability);
    const reply = await runBusCall(
      { handler: d.handler, registry: d.registry, flow: d.flow },
      req,
      caller,
      c.env.outgoing,
      c.env.incoming.headers[HEADER_STREAM_BATCH] === '1',
    );
    return reply ? c.json(reply) : RESPONSE_ALREADY_SENT;
  });

  app.post('/bus/v1/call/ack', async (c) => {
    tlsOnly(c);
    const { caller, body } = await verified(c, null);
    const v = parseJsonObject(body);
    if (typeof v.stream_id !== 'string' || !Number.isInteger(v.upto) || (v.upto as number) < 0)
      throw new CallError('bad_request', 'an ack needs {"stream_id": string, "upto": integer >= 0}');
    const s = d.registry.get(v.stream_id);
    if (!s) throw new CallError('not_found', 'no open stream with this id (it may have ended)');
    if (s.caller !== caller) throw new CallError('forbidden', 'only the caller of a stream may acknowledge it');
    s.flow.ack(s.ledger.messagesUpTo(v.upto as number));
    return c.json({ stream_id: v.stream_id, acked: s.flow.ackedUpTo });
  });

  app.post('/blobs/v1/chunks', async (c) => {
    tlsOnly(c);
    const { caller, body } = await verified(c, 'blobs');
    if (!d.blobs) throw new CallError('not_found', 'this node does not serve files');
    const req = parseBlobChunksRequest(parseJsonObject(body));
    const out = c.env.outgoing;
    const ac = new AbortController();
    const onClose = () => ac.abort(new CallError('cancelled', 'the caller went away'));
    out.once('close', onClose);
    const records = d.blobs.serveChunks(caller, req, ac.signal);
    out.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
    // Written here with backpressure: at most one chunk waits in memory.
    const write = (b: Uint8Array) =>
      out.write(b) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
    try {
      for await (const r of records) {
        if (ac.signal.aborted) break;
        await write(chunkRecordHeader(r.index, r.data.length));
        await write(r.data);
      }
    } catch {
      // A failure mid-stream cuts the response; the receiver refetches what is missing.
      out.destroy();
      return RESPONSE_ALREADY_SENT;
    } finally {
      out.off('close', onClose);
    }
    out.end();
    return RESPONSE_ALREADY_SENT;
  });

  // The one signed endpoint open to non-members: the signature proves the joiner's node id.
  app.post('/join/v1/redeem', async (c) => {
    tlsOnly(c);
    if (!d.join) throw new CallError('not_found', 'this node does not hand out invites for join codes');
    const { caller, body } = await verified(c, 'join', false);
    return c.json((await d.join(caller, parseJsonObject(body))) as object);
  });

  app.get('/sync/v1/heads', async (c) => {
    tlsOnly(c);
    const { caller } = await verified(c, 'sync');
    if (!d.sync) throw new CallError('not_found', 'this node does not serve event sync');
    return c.json((await d.sync.heads(caller)) as object);
  });

  app.post('/sync/v1/events', async (c) => {
    tlsOnly(c);
    const { caller, body } = await verified(c, 'sync');
    if (!d.sync) throw new CallError('not_found', 'this node does not serve event sync');
    return c.json((await d.sync.events(caller, parseJsonObject(body))) as object);
  });

  app.get('/pubsub/v1/subscribe', async (c) => {
    tlsOnly(c);
    await verified(c, 'pubsub');
    if (!d.pubsub) throw new CallError('not_found', 'this node does not serve pubsub');
    const topic = c.req.query('topic') ?? '';
    const lastSeq = Number(c.req.query('last_seq') ?? '0');
    const timeoutS = Number(c.req.query('timeout_s') ?? '30');
    if (!Number.isFinite(timeoutS) || timeoutS < 0)
      throw new CallError('bad_request', 'timeout_s must be a number of seconds >= 0');
    const ac = new AbortController();
    const out = c.env.outgoing;
    const onClose = () => ac.abort();
    out.once('close', onClose);
    try {
      return c.json(await d.pubsub.subscribe(topic, { lastSeq, timeoutMs: timeoutS * 1000, signal: ac.signal }));
    } finally {
      out.off('close', onClose);
    }
  });

  app.get('/health', (c) =>
    c.json({ ok: true, node_id: d.nodeId, uptime_s: Math.floor((d.now() - d.startedAtMs) / 1000) }),
  );
  app.get('/ready', (c) => (d.isReady() ? c.json({ ready: true }) : c.json({ ready: false }, 503)));
  app.get('/manifest', async (c) => {
    if (!d.nodeManifest) throw new CallError('not_found', 'this node has no manifest yet');
    return c.json((await d.nodeManifest()) as object);
  });
  app.get('/community/manifest', async (c) => {
    const m = d.communityManifest ? await d.communityManifest() : null;
    if (!m) throw new CallError('not_found', 'this node is not in a community yet');
    return c.json(m);
  });

  const loopbackOnly = (c: C) => {
    // Node nulls a request's socket once it is destroyed, whatever its type says.
    if (!isLoopback((c.env.incoming.socket as Socket | null)?.remoteAddress))
      throw new CallError('forbidden', 'this endpoint answers on this computer only (127.0.0.1 / ::1)');
  };
  app.get('/metrics', async (c) => {
    loopbackOnly(c);
    if (!d.metricsText) throw new CallError('not_found', 'metrics are not enabled');
    return c.body(await d.metricsText(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  app.get('/trace/recent', async (c) => {
    loopbackOnly(c);
    if (!d.traceRecent) throw new CallError('not_found', 'tracing is not enabled');
    const n = Number(c.req.query('n') ?? '100');
    if (!Number.isInteger(n) || n < 1 || n > TRACE_RING_BUFFER)
      throw new CallError('bad_request', `n must be a whole number from 1 to ${TRACE_RING_BUFFER}`);
    return c.json((await d.traceRecent(n)) as object);
  });
  return app;
}
