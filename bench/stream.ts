/**
 * Frames/s through a flow-controlled, signed stream (window 16, acks every 8) against raw SSE (the
 * same frames written straight to an HTTPS response with the same certificate, no window, no
 * signing, no Hono). Last line: `stream: <frames/s> frames/s (baseline <frames/s> frames/s, ratio <r>)`.
 */
import { createServer, request } from 'node:https';
import { encodeFrame, SseParser } from '../src-main/runtime/transport';
import { fmt, twoNodes } from './lib/transport-fixture';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20_000);
const ROUNDS = 3;

async function rawSse(tls: { certPem: string; keyPem: string }): Promise<number> {
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < FRAMES; i++) {
      if (!res.write(encodeFrame({ event: 'token', data: { text: 'tok', i }, seq: i + 1 }))) await new Promise((r) => res.once('drain', r));
    }
    res.end(encodeFrame({ event: 'done', data: {}, seq: FRAMES + 1 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false }, (res) => {
        const p = new SseParser();
        let n = 0;
        res.setEncoding('utf8');
        res.on('data', (c: string) => (n += p.push(c).filter((f) => f.event === 'token').length));
        res.on('end', () => (n === FRAMES ? resolve(FRAMES / ((performance.now() - t0) / 1000)) : reject(new Error(`got ${n} frames`))));
      });
      req.on('error', reject);
      req.end();
    });
  await once();
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) best = Math.max(best, await once());
  await new Promise((r) => server.close(r));
  return best;
}

export async function main(): Promise<void> {
  const nodes = await twoNodes();
  const run = async () => {
    const t0 = performance.now();
    let n = 0;
    for await (const f of nodes.client.stream(nodes.peer, 'bench.stream', '1.0', { n: FRAMES })) if (f.event === 'token') n++;
    if (n !== FRAMES) throw new Error(`got ${n} frames`);
    return FRAMES / ((performance.now() - t0) / 1000);
  };
  await run();
  let fc = 0;
  for (let r = 0; r < ROUNDS; r++) fc = Math.max(fc, await run());
  const base = await rawSse(nodes.tls);
  await nodes.stop();
  console.log(`${FRAMES} frames per run, best of ${ROUNDS}`);
  console.log(`flow-controlled signed stream: ${fmt(fc)} frames/s`);
  console.log(`raw SSE over HTTPS: ${fmt(base)} frames/s`);
  console.log(`stream: ${fmt(fc)} frames/s (baseline ${fmt(base)} frames/s, ratio ${fmt(fc / base, 2)})`);
}
