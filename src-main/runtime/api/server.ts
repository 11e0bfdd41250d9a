/**
 * The local API server: tRPC over HTTP for the CLI and a browser on this machine (the web UI is
 * served from here too). Separate from the peer transport: it speaks for the household, so it
 * binds to 127.0.0.1 by default and every request carries the per-run token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CallError, toWireError } from '../../common';
import type { StreamingNodeApi } from './contract';
import { isOpName, parseOpInput } from './ops';
import { appRouter } from './router';
import { mountAppRoutes, subscriptionToken, UPLOAD_PATH } from './app-routes';
import type { CallInput } from './status';

/**
 * Largest request body the local API reads (4 MiB, as the peer port): API inputs are small JSON
 * (file contents travel by path), and an unbounded body is memory anyone with the token, or a
 * bug, can take. Over it: 413 `payload_too_large`, without buffering the rest.
 */
export const API_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** More routes on the same server (e.g. the OpenAI-compatible /v1 endpoint). */
  readonly mount?: (app: Hono) => void;
  /** The built web UI (electron-vite's out/renderer); served at / when present. */
  readonly webRoot?: string;
  readonly node: StreamingNodeApi;
}

/** Frames as a `text/event-stream` response; a thrown error becomes a final `error` frame with the wire error. */
function sseResponse(frames: (signal: AbortSignal) => AsyncIterable<{ event: string; data: unknown }>, requestSignal: AbortSignal): Response {
  const ac = new AbortController();
  requestSignal.addEventListener('abort', () => ac.abort());
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for await (const f of frames(ac.signal)) controller.enqueue(encoder.encode(`event: ${f.event}\ndata: ${JSON.stringify(f.data)}\n\n`));
      } catch (err) {
        controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify(toWireError(err))}\n\n`));
      }
      controller.close();
    },
    cancel() {
      ac.abort();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class ApiServer {
  private server: ServerType | null = null;
  private boundPort = 0;

  constructor(private readonly opts: ApiServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const app = new Hono();
    const limit = bodyLimit({
      maxSize: API_BODY_LIMIT_BYTES,
      onError: (c) => {
        c.header('connection', 'close');
        return c.json({ error: { code: 'payload_too_large', message: `the request body is larger than ${API_BODY_LIMIT_BYTES} bytes` } }, 413);
      },
    });
    // A browser upload is a file, streamed to disk (never buffered): it alone may be larger.
    app.use('*', (c, next) => (c.req.path === UPLOAD_PATH ? next() : limit(c, next)));
    app.get('/health', (c) => c.json({ ok: true }));
    this.opts.mount?.(app);
    app.use('/trpc/*', async (c, next) => {
      const auth = c.req.header('authorization');
      // Subscriptions (SSE) carry the token in tRPC's connectionParams: EventSource sends no headers.
      const given = auth?.startsWith('Bearer ') ? auth.slice(7) : c.req.method === 'GET' ? subscriptionToken(c.req.url) : undefined;
      if (!tokenMatches(given, this.opts.token)) {
        return c.json({ error: { code: 'invalid_signature', message: 'missing or wrong local API token' } }, 401);
      }
      await next();
    });
    app.use('/api/*', async (c, next) => {
      const auth = c.req.header('authorization');
      const given = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      if (!tokenMatches(given, this.opts.token)) return c.json({ error: { code: 'invalid_signature', message: 'missing or wrong local API token' } }, 401);
      await next();
    });
    mountAppRoutes(app, () => this.opts.node);
    // Streamed bus calls as server-sent events (tRPC carries the request/response calls).
    app.post('/api/v1/stream', async (c) => {
      const node = this.opts.node;
      const stream = node.stream;
      if (!stream) return c.json({ error: { code: 'not_found', message: 'streaming is not available' } }, 404);
      let q: CallInput;
      try {
        q = (await c.req.json()) as CallInput;
      } catch {
        return c.json({ error: { code: 'bad_request', message: 'body must be JSON {capability, version, body, params?}' } }, 400);
      }
      if (typeof q?.capability !== 'string' || typeof q?.version !== 'string') return c.json({ error: { code: 'bad_request', message: 'capability and version are required' } }, 400);
      return sseResponse((signal) => stream.call(node, q, signal), c.req.raw.signal);
    });
    // Long operations (file download, ingest, ask, model pull): progress frames, then done.
    app.post('/api/v1/ops/:name', async (c) => {
      const node = this.opts.node;
      const name = c.req.param('name');
      const op = node.op;
      if (!op || !isOpName(name)) return c.json({ error: { code: 'not_found', message: `there is no operation "${name}"` } }, 404);
      let input;
      try {
        input = parseOpInput(name, await c.req.json().catch(() => null));
      } catch (err) {
        return c.json({ error: toWireError(err) }, 400);
      }
      return sseResponse((signal) => op.call(node, name, input, signal), c.req.raw.signal);
    });
    const webRoot = this.opts.webRoot;
    if (webRoot && existsSync(webRoot)) app.use('/*', serveStatic({ root: webRoot }));
    app.all('/trpc/*', (c) =>
      fetchRequestHandler({ endpoint: '/trpc', req: c.req.raw, router: appRouter, createContext: () => ({ node: this.opts.node }) }),
    );
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, hostname: this.opts.host, port: this.opts.port }, (info: AddressInfo) => {
        this.boundPort = info.port;
        resolve();
      });
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new CallError('internal_error', `the local API port ${this.opts.port} is already in use; stop the other program or choose another port (--api-port, or [ui] port in the config)`, { cause: err })
            : new CallError('internal_error', `the local API cannot listen on ${this.opts.host}:${this.opts.port}: ${err.message}`, { cause: err }),
        ),
      );
      this.server = server;
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      server.close(() => resolve());
    });
  }
}
