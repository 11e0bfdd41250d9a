/**
 * Signed, pinned bus calls between two nodes on loopback (HTTPS, keep-alive, 16 concurrent callers)
 * against a plain unsigned Hono endpoint over plain HTTP (and, for reference, the same endpoint over
 * HTTPS). Last line:
 * `rpc: <req/s> req/s (baseline <req/s> req/s, ratio <r>)`; target ratio >= 0.5.
 */
import { fmt, twoNodes } from './lib/transport-fixture';
import { baseline, describeRun, line, measure } from './lib/rpc-rounds';

export async function main(): Promise<void> {
  const nodes = await twoNodes();
  const base = await baseline();
  const baseTls = await baseline(nodes.tls);
  const call = async (i: number) => {
    await nodes.client.call(nodes.peer, 'bench.echo', '1.0', { n: i });
  };
  await call(0);
  const [s, b, t] = await measure([call, base.post, baseTls.post]);
  await nodes.stop();
  await base.close();
  await baseTls.close();
  console.log(describeRun());
  console.log(line('signed HTTPS bus call', s));
  console.log(line('plain HTTP Hono (unsigned)', b));
  console.log(line('HTTPS Hono (unsigned, same certificate; for reference)', t));
  console.log(`ratio against HTTPS Hono: ${fmt(s.rps / t.rps, 2)}`);
  console.log(`rpc: ${fmt(s.rps)} req/s (baseline ${fmt(b.rps)} req/s, ratio ${fmt(s.rps / b.rps, 2)})`);
}
