/** Shared by bench/rpc.ts and bench/stream.ts: two transport nodes on loopback, and percentile maths. */
import { toWallClock } from '../../src-main/common';
import { generateKeyPair, signPayload } from '../../src-main/runtime/identity';
import {
  createHttpServer,
  generateSelfSignedCert,
  HttpClient,
  PinnedCerts,
  type FrameData,
  type InboundCallHandler,
  type PeerAddress,
} from '../../src-main/runtime/transport';

export const handler: InboundCallHandler = {
  handleInbound(call) {
    const body = call.body as { n?: number };
    if (call.capability === 'bench.stream') return Promise.resolve(frames(Number(body.n ?? 0)));
    return Promise.resolve({ echo: body });
  },
};

// eslint-disable-next-line @typescript-eslint/require-await -- the cheapest real stream: an await here would add a tick per frame to what is measured
async function* frames(n: number): AsyncIterable<FrameData> {
  for (let i = 0; i < n; i++) yield { event: 'token', data: { text: 'tok', i } };
}

/** Server node B and a client of node A that has pinned B's certificate from B's signed manifest. */
export async function twoNodes() {
  const kpB = generateKeyPair();
  const tls = generateSelfSignedCert(kpB);
  const ref: { m: unknown } = { m: null };
  const server = createHttpServer({ kp: kpB, tls, host: '127.0.0.1', port: 0, handler, nodeManifest: () => ref.m });
  await server.start();
  ref.m = signPayload(
    { node_id: kpB.nodeIdFull, load: { tls_fingerprint: tls.fingerprint }, issued_at: toWallClock() },
    kpB,
  );
  const pins = new PinnedCerts();
  const client = new HttpClient({ kp: generateKeyPair(), pinnedCerts: pins });
  const peer: PeerAddress = {
    nodeId: kpB.nodeIdFull,
    endpoint: { transport: 'https', host: '127.0.0.1', port: server.port },
  };
  await client.learnPeer(peer.endpoint);
  return {
    tls,
    client,
    peer,
    async stop() {
      client.close();
      await server.stop();
      pins.close();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number, d = 0) => n.toFixed(d);
