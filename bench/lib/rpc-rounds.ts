/**
 * Shared by bench/rpc.ts and bench/rpc-node.ts: 16 concurrent callers per side, an untimed warm-up
 * of each side, then short alternating rounds (so machine-load drift hits every side alike), and
 * the unsigned Hono echo endpoint the issue names as the baseline.
 */
import { Agent, createServer as createHttpServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { fmt, percentile } from './transport-fixture';

export const CONCURRENCY = 16;
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** Round length: the two sides alternate in short rounds so machine-load drift hits both alike. */
export const ROUND_MS = 500;
/**
 * Untimed warm-up per side before the rounds: V8 needs ~1–2 s of calls to optimise a path this
 * long (measured: the signed path ran at ~3 300 req/s in its first 500 ms rounds and ~4 000 after
 * 2 s of calls), and a cold first round would measure the JIT, not the protocol.
 */
export const WARMUP_MS = 2000;

export interface Tally {
  n: number;
  ms: number;
  lat: number[];
  /** Event-loop busy time (ms) during this side's rounds: client + server JS, TLS, HTTP parsing. */
  loopMs: number;
}

export async function round(one: (i: number) => Promise<unknown>, t: Tally, ms = ROUND_MS): Promise<void> {
  const t0 = performance.now();
  const e0 = performance.eventLoopUtilization();
  const until = t0 + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const s = performance.now();
        await one(t.n++);
        t.lat.push(performance.now() - s);
      }
    }),
  );
  t.ms += performance.now() - t0;
  t.loopMs += performance.eventLoopUtilization(e0).active;
}

export const summary = (t: Tally) => ({
  rps: t.lat.length / (t.ms / 1000),
  lat: [...t.lat].sort((a, b) => a - b),
  loopUs: (t.loopMs * 1000) / t.lat.length,
});

/**
 * The unsigned Hono echo endpoint, served over plain HTTP (the baseline) or over HTTPS with
 * the node's certificate (shown too: it separates the cost of TLS from the cost of signing).
 */
export async function baseline(tls?: {
  certPem: string;
  keyPem: string;
}): Promise<{ post: (i: number) => Promise<void>; close: () => Promise<void> }> {
  const app = new Hono();
  app.post('/echo', async (c) => c.json({ result: { echo: await c.req.json() } }));
  const listener = getRequestListener(app.fetch); // answers errors itself; its promise never rejects
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void listener(req, res);
  const server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, onRequest)
    : createHttpServer(onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY, rejectUnauthorized: false })
    : new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const send = tls ? httpsRequest : request;
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ n: i });
      const req = send(
        {
          host: '127.0.0.1',
          port,
          path: '/echo',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            JSON.parse(text); // a reply that is not JSON fails the run
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await post(0);
  return {
    post,
    close: async () => {
      agent.destroy();
      await new Promise((res) => server.close(res));
    },
  };
}

export type Side = (i: number) => Promise<unknown>;

/** Warm every side up, then alternate rounds for SECONDS per side; one summary per side, in order. */
export async function measure(sides: Side[]): Promise<ReturnType<typeof summary>[]> {
  const tallies: Tally[] = sides.map(() => ({ n: 0, ms: 0, lat: [], loopMs: 0 }));
  for (const side of sides) await round(side, { n: 0, ms: 0, lat: [], loopMs: 0 }, WARMUP_MS);
  for (let r = 0; r < (SECONDS * 1000) / ROUND_MS; r++)
    for (const [i, side] of sides.entries()) await round(side, tallies[i]);
  return tallies.map(summary);
}

export const describeRun = () =>
  `concurrency ${CONCURRENCY}, ${SECONDS} s each side, alternating ${ROUND_MS} ms rounds after ${WARMUP_MS} ms of warm-up each`;

export const line = (name: string, r: { rps: number; lat: number[]; loopUs: number }) =>
  `${name}: ${fmt(r.rps)} req/s, p50 ${fmt(percentile(r.lat, 50), 2)} ms, p99 ${fmt(percentile(r.lat, 99), 2)} ms, event loop ${fmt(r.loopUs)} us/req`;
