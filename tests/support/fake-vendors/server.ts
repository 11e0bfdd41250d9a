/** Tiny real HTTP server on 127.0.0.1:0 for fake vendors, with fault injection and a request log. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Faults {
  /** Answer the next request with 429 and this Retry-After (seconds), then clear. */
  rateLimitNext?: number;
  /** Cut the connection after streaming this many text pieces (applies to every stream while set). */
  disconnectAfter?: number;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown> | null;
}

export interface FakeServer {
  readonly url: string;
  readonly port: number;
  readonly faults: Faults;
  readonly requests: LoggedRequest[];
  close(): Promise<void>;
}

export type Handler = (
  req: IncomingMessage,
  body: Record<string, unknown> | null,
  res: ServerResponse,
  ctx: { faults: Faults; signal: AbortSignal },
) => Promise<void>;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Start a server; the handler sees the parsed JSON body and an AbortSignal fired when the client goes away. */
export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const faults: Faults = {};
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      } catch {
        sendJson(res, 400, { error: { message: 'invalid JSON body' } });
        return;
      }
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
      const ctl = new AbortController();
      res.on('close', () => ctl.abort());
      handler(req, body, res, { faults, signal: ctl.signal }).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(e) } });
        else res.destroy();
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Take a pending 429 fault, if any. */
export function takeRateLimit(faults: Faults): number | null {
  const v = faults.rateLimitNext;
  if (v === undefined) return null;
  delete faults.rateLimitNext;
  return v;
}
