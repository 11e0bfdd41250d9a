/**
 * Frames/s through a flow-controlled, signed stream (window 16 messages, acks every 8 messages,
 * frames coalesced into messages of <= 64 frames / 64 KiB) against raw SSE (the same frames written
 * straight to an HTTPS response with the same certificate, no window, no signing, no Hono). Last line: `stream: <frames/s> frames/s (baseline <frames/s> frames/s, ratio <r>)`.
 */
import type { ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import { STREAM_WINDOW_FRAMES } from '../src-main/common';
import { encodeFrame, SseParser, STREAM_BATCH_MAX_FRAMES } from '../src-main/runtime/transport';
import { fmt, twoNodes } from './lib/transport-fixture';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Raw SSE server on the same certificate; `once()` reads one full stream and returns frames/s. */
async function rawSse(tls: { certPem: string; keyPem: string }) {
  const writeStream = async (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < FRAMES; i++) {
      if (!res.write(encodeFrame({ event: 'token', data: { text: 'tok', i }, seq: i + 1 })))
        await new Promise((r) => res.once('drain', r));
    }
    res.end(encodeFrame({ event: 'done', data: {}, seq: FRAMES + 1 }));
  };
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => {
    writeStream(res).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
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
        res.on('end', () =>
          n === FRAMES ? resolve(FRAMES / ((performance.now() - t0) / 1000)) : reject(new Error(`got ${n} frames`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  return { once, close: () => new Promise((r) => server.close(r)) };
}

export async function main(): Promise<void> {
  const nodes = await twoNodes();
  const raw = await rawSse(nodes.tls);
  const run = async () => {
    const t0 = performance.now();
    let n = 0;
    for await (const f of nodes.client.stream(nodes.peer, 'bench.stream', '1.0', { n: FRAMES }))
      if (f.event === 'token') n++;
    if (n !== FRAMES) throw new Error(`got ${n} frames`);
    return FRAMES / ((performance.now() - t0) / 1000);
  };
  await run();
  await raw.once();
  // Alternating rounds, best of each: load from other processes hits both sides alike.
  const fcs: number[] = [];
  const bases: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    fcs.push(await run());
    bases.push(await raw.once());
  }
  await raw.close();
  await nodes.stop();
  const fc = Math.max(...fcs);
  const base = Math.max(...bases);
  console.log(`${FRAMES} frames per run, ${ROUNDS} alternating rounds, best of each`);
  console.log(
    `flow-controlled signed stream (coalesced messages, window ${STREAM_WINDOW_FRAMES} messages of <= ${STREAM_BATCH_MAX_FRAMES} frames): ${fcs.map((x) => fmt(x)).join(' ')} frames/s`,
  );
  console.log(`raw SSE over HTTPS: ${bases.map((x) => fmt(x)).join(' ')} frames/s`);
  console.log(`stream: ${fmt(fc)} frames/s (baseline ${fmt(base)} frames/s, ratio ${fmt(fc / base, 2)})`);
}
