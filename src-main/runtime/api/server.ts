/**
 * The local API server: tRPC over HTTP for the CLI and a browser on this machine (the web UI is
 * served from here too). Separate from the peer transport: it speaks for the household, so it
 * binds to 127.0.0.1 by default and every request carries the household's token (stable across
 * restarts). When the household turns phone access on, a second listener on the LAN serves the
 * same app to paired phones only (docs/protocol/phone-access.md). Both check Host and Origin.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CallError, sseResponse, toWireError, type SseMessage, type Unchecked } from '../../common';
import type { StreamingNodeApi } from './contract';
import { allowedHosts, checkHostAndOrigin, lanNames } from './host-guard';
import type { PhoneRegistry } from './phone-access';
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
  /** Paired phones; with it, `setLanAccess(true)` opens the LAN listener. */
  readonly phones?: PhoneRegistry;
  /** Port of the LAN listener for phones (0 = any free port). */
  readonly lanPort?: number;
}

/** Which listener a request came in on: this computer (household token) or the LAN (paired phones). */
export type Listener = 'local' | 'lan';

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** Frames as a `text/event-stream` response (the one SSE writer); a thrown error becomes a final `error` frame with the wire error. */
function opStream(
  frames: (signal: AbortSignal) => AsyncIterable<{ event: string; data: unknown }>,
  requestSignal: AbortSignal,
): Response {
  const ac = new AbortController();
  requestSignal.addEventListener('abort', () => ac.abort());
  async function* messages(): AsyncGenerator<SseMessage, void, undefined> {
    try {
      for await (const f of frames(ac.signal)) yield { event: f.event, data: JSON.stringify(f.data) };
    } catch (err) {
      yield { event: 'error', data: JSON.stringify(toWireError(err)) };
    }
  }
  return sseResponse(messages(), () => ac.abort());
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const NO_TOKEN =
  'missing or wrong local API token: open HearthNet with `hearthnet open` (or the desktop app); the link it opens carries the token';
const NOT_PAIRED =
  'this phone is not paired: on the computer running HearthNet, open Settings, turn on phone access and scan the pairing code';

async function listen(
  app: Hono,
  host: string,
  port: number,
  what: string,
): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new CallError(
              'internal_error',
              `the ${what} port ${port} is already in use; stop the other program or choose another port (--api-port, or [ui] port in the config)`,
              { cause: err },
            )
          : new CallError('internal_error', `the ${what} cannot listen on ${host}:${port}: ${err.message}`, {
              cause: err,
            }),
      ),
    );
  });
}

async function close(server: ServerType | null): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
    server.close(() => resolve());
  });
}

export class ApiServer {
  private server: ServerType | null = null;
  private boundPort = 0;
  private lan: { server: ServerType; port: number } | null = null;

  constructor(private readonly opts: ApiServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  /** The LAN listener's port while phone access is on, else null. */
  get lanPort(): number | null {
    return this.lan?.port ?? null;
  }

  /** `http://<address>:<port>/` for each LAN address (empty while phone access is off). */
  lanUrls(): string[] {
    const port = this.lan?.port;
    if (!port) return [];
    return lanNames()
      .filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n))
      .map((n) => `http://${n}:${port}/`);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const bindsLan = WILDCARD.has(this.opts.host) || !['127.0.0.1', 'localhost', '::1'].includes(this.opts.host);
    const extra = bindsLan && !WILDCARD.has(this.opts.host) ? [this.opts.host] : [];
    let allowed = new Set<string>();
    const { server, port } = await listen(
      this.buildApp('local', () => allowed),
      this.opts.host,
      this.opts.port,
      'local API',
    );
    this.server = server;
    this.boundPort = port;
    allowed = allowedHosts(port, { lan: WILDCARD.has(this.opts.host), extra });
    if (this.opts.phones?.enabled) await this.setLanAccess(true);
  }

  /** Opens (or closes) the LAN listener for paired phones. */
  async setLanAccess(enabled: boolean): Promise<void> {
    if (!this.opts.phones) return;
    if (!enabled) {
      const lan = this.lan;
      this.lan = null;
      await close(lan?.server ?? null);
      return;
    }
    if (this.lan) return;
    let allowed = new Set<string>();
    const lan = await listen(
      this.buildApp('lan', () => allowed),
      '0.0.0.0',
      this.opts.lanPort ?? 0,
      'phone access',
    );
    allowed = allowedHosts(lan.port, { lan: true });
    this.lan = lan;
  }

  private buildApp(listener: Listener, allowed: () => ReadonlySet<string>): Hono {
    const app = new Hono();
    const phones = this.opts.phones;
    // Host and Origin before anything else, /health included: a foreign page learns nothing.
    app.use('*', async (c, next) => {
      const refusal = checkHostAndOrigin(c.req.method, c.req.header('host'), c.req.header('origin'), allowed());
      if (refusal) return c.json({ error: { code: 'forbidden', message: refusal.message } }, refusal.status);
      if (listener === 'lan' && !phones?.enabled)
        return c.json({ error: { code: 'forbidden', message: 'phone access is turned off on this computer' } }, 403);
      await next();
    });
    const limit = bodyLimit({
      maxSize: API_BODY_LIMIT_BYTES,
      onError: (c) => {
        c.header('connection', 'close');
        return c.json(
          {
            error: {
              code: 'payload_too_large',
              message: `the request body is larger than ${API_BODY_LIMIT_BYTES} bytes`,
            },
          },
          413,
        );
      },
    });
    // A browser upload is a file, streamed to disk (never buffered): it alone may be larger.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- Hono types app.use's context input as `any`
    app.use('*', (c, next) => (c.req.path === UPLOAD_PATH ? next() : limit(c, next)));
    app.get('/health', (c) => c.json({ ok: true }));
    // A phone trades a single-use pairing code (from the QR code in Settings) for its own token.
    app.post('/pair', async (c) => {
      if (!phones || listener !== 'lan')
        return c.json(
          { error: { code: 'not_found', message: 'phones pair on the LAN address shown in Settings' } },
          404,
        );
      const body = (await c.req.json().catch(() => null)) as { code?: unknown; name?: unknown } | null;
      if (typeof body?.code !== 'string')
        return c.json({ error: { code: 'bad_request', message: 'body must be JSON {code, name?}' } }, 400);
      try {
        return c.json(phones.pair(body.code, typeof body.name === 'string' ? body.name : 'Phone'));
      } catch (err) {
        const wire = toWireError(err);
        return c.json({ error: wire }, wire.code === 'expired' ? 410 : wire.code === 'capacity_exceeded' ? 429 : 403);
      }
    });
    if (listener === 'local') this.opts.mount?.(app);
    const authorise = (
      authHeader: string | undefined,
      req: Request,
    ): { ok: true; phone: string | null } | { ok: false; message: string } => {
      // Subscriptions (SSE) may carry the token in tRPC's connectionParams: EventSource sends no headers.
      const given = authHeader?.startsWith('Bearer ')
        ? authHeader.slice(7)
        : req.method === 'GET'
          ? subscriptionToken(req.url)
          : undefined;
      if (listener === 'local')
        return tokenMatches(given, this.opts.token) ? { ok: true, phone: null } : { ok: false, message: NO_TOKEN };
      const phone = phones?.authenticate(given);
      return phone ? { ok: true, phone: phone.id } : { ok: false, message: NOT_PAIRED };
    };
    const callerOf = new WeakMap<Request, string | null>();
    for (const path of ['/trpc/*', '/api/*']) {
      app.use(path, async (c, next) => {
        const who = authorise(c.req.header('authorization'), c.req.raw);
        if (!who.ok) return c.json({ error: { code: 'invalid_signature', message: who.message } }, 401);
        callerOf.set(c.req.raw, who.phone);
        await next();
      });
    }
    mountAppRoutes(app, () => this.opts.node);
    // Streamed bus calls as server-sent events (tRPC carries the request/response calls).
    app.post('/api/v1/stream', async (c) => {
      const node = this.opts.node;
      const stream = node.stream?.bind(node);
      if (!stream) return c.json({ error: { code: 'not_found', message: 'streaming is not available' } }, 404);
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        return c.json(
          { error: { code: 'bad_request', message: 'body must be JSON {capability, version, body, params?}' } },
          400,
        );
      }
      const q = raw as Unchecked<CallInput> | null; // the caller's JSON: checked here, the body by the capability
      if (typeof q?.capability !== 'string' || typeof q.version !== 'string')
        return c.json({ error: { code: 'bad_request', message: 'capability and version are required' } }, 400);
      return opStream((signal) => stream(q as CallInput, signal), c.req.raw.signal);
    });
    // Long operations (file download, ingest, ask, model pull): progress frames, then done.
    app.post('/api/v1/ops/:name', async (c) => {
      const node = this.opts.node;
      const name = c.req.param('name');
      const op = node.op?.bind(node);
      if (!op || !isOpName(name))
        return c.json({ error: { code: 'not_found', message: `there is no operation "${name}"` } }, 404);
      let input;
      try {
        input = parseOpInput(name, await c.req.json().catch(() => null));
      } catch (err) {
        return c.json({ error: toWireError(err) }, 400);
      }
      return opStream((signal) => op(name, input, signal), c.req.raw.signal);
    });
    const webRoot = this.opts.webRoot;
    if (webRoot && existsSync(webRoot)) app.use('/*', serveStatic({ root: webRoot }));
    app.all('/trpc/*', (c) => {
      const phone = callerOf.get(c.req.raw) ?? null;
      return fetchRequestHandler({
        endpoint: '/trpc',
        req: c.req.raw,
        router: appRouter,
        createContext: () => ({
          node: this.opts.node,
          caller: phone ? { kind: 'phone' as const, id: phone } : { kind: 'household' as const },
        }),
      });
    });
    return app;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await this.setLanAccess(false);
    await close(server);
  }
}
