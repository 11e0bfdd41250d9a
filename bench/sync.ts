/**
 * Event sync between two real nodes over HTTPS: node A holds 10,000 signed events (4 authors);
 * node B, empty, runs SyncClient.syncWith over HttpClient.syncChannel (signed, TLS-pinned) against
 * A's HttpServer whose `sync` provider is a SyncServer. Timed from the first request to converged
 * (B holds all events, same per-author digests). Baseline in the same run: the same events copied
 * log-to-log in-process with appendReceivedBatch (no network) in sync-sized batches.
 * Rounds alternate network/in-process; medians. Last line:
 * `sync: <events/s> events/s (baseline <events/s> events/s, ratio <r>)`; target >= 3,000 events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toWallClock } from '../src-main/common';
import {
  EventLog,
  SyncClient,
  SyncServer,
  SYNC_BATCH_EVENTS,
  type Event,
  type SyncChannel,
} from '../src-main/runtime/events';
import { generateKeyPair, signPayload } from '../src-main/runtime/identity';
import {
  createHttpServer,
  generateSelfSignedCert,
  HttpClient,
  PinnedCerts,
  RateLimiter,
  type PeerAddress,
} from '../src-main/runtime/transport';
import { fmt } from './lib/transport-fixture';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const AUTHORS = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-sync-'));
  const authors = Array.from({ length: AUTHORS }, () => generateKeyPair());
  const communityId = authors[0].nodeIdFull;
  let logs = 0;
  const open = () => EventLog.open({ dbPath: join(dir, `log-${logs++}.sqlite`), communityId });
  const source = open();
  for (let i = 0; i < EVENTS; i++)
    source.appendLocal(
      'chat.message.sent',
      { text: `message ${i} from the bench`, room: 'general', n: i },
      authors[i % AUTHORS],
    );
  const events: Event[] = [];
  for (const e of source.replay()) events.push(e);

  // Node A: serves `source` over HTTPS.
  const kpA = generateKeyPair();
  const tls = generateSelfSignedCert(kpA);
  const syncServer = new SyncServer(source);
  const ref: { m: unknown } = { m: null };
  const server = createHttpServer({
    kp: kpA,
    tls,
    host: '127.0.0.1',
    port: 0,
    nodeManifest: () => ref.m,
    rateLimiter: process.env.BENCH_NO_RATE_LIMIT ? undefined : new RateLimiter(), // as a node wires it
    sync: { heads: () => syncServer.serveHeads(), events: (_caller, body) => syncServer.serveEvents(body) },
  });
  await server.start();
  ref.m = signPayload(
    { node_id: kpA.nodeIdFull, load: { tls_fingerprint: tls.fingerprint }, issued_at: toWallClock() },
    kpA,
  );
  // Node B: pins A's certificate from its signed manifest, then syncs over the signed endpoints.
  const pins = new PinnedCerts();
  const client = new HttpClient({ kp: generateKeyPair(), pinnedCerts: pins });
  const peer: PeerAddress = {
    nodeId: kpA.nodeIdFull,
    endpoint: { transport: 'https', host: '127.0.0.1', port: server.port },
  };
  await client.learnPeer(peer.endpoint);
  const channel = client.syncChannel(peer) as unknown as SyncChannel;

  const overNetwork = async () => {
    const target = open();
    try {
      const t0 = performance.now();
      const r = await new SyncClient(target, channel).syncWith();
      const ms = performance.now() - t0;
      if (r.received_count !== EVENTS || target.count() !== EVENTS)
        throw new Error(`sync: received ${r.received_count}, stored ${target.count()} of ${EVENTS}`);
      if (JSON.stringify(target.authorSummaries()) !== JSON.stringify(source.authorSummaries()))
        throw new Error('sync: the logs did not converge');
      return EVENTS / (ms / 1000);
    } finally {
      target.close();
    }
  };
  const inProcess = () => {
    const target = open();
    try {
      const wire = JSON.parse(JSON.stringify(events)) as Event[]; // fresh objects, as if off the wire
      const t0 = performance.now();
      for (let i = 0; i < wire.length; i += SYNC_BATCH_EVENTS) {
        const res = target.appendReceivedBatch(wire.slice(i, i + SYNC_BATCH_EVENTS));
        if (res.rejected.length) throw new Error(`sync baseline: ${res.rejected[0].code}`);
      }
      const ms = performance.now() - t0;
      if (target.count() !== EVENTS) throw new Error('sync baseline: not all events stored');
      return EVENTS / (ms / 1000);
    } finally {
      target.close();
    }
  };

  const net: number[] = [];
  const local: number[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      net.push(await overNetwork());
      local.push(inProcess());
    }
  } finally {
    client.close();
    await server.stop();
    pins.close();
    source.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const n = median(net);
  const b = median(local);
  console.log(
    `${EVENTS} events, ${AUTHORS} authors, batches of ${SYNC_BATCH_EVENTS}, ${ROUNDS} rounds alternating; medians`,
  );
  console.log(
    `over HTTPS (SyncClient -> HttpClient.syncChannel -> HttpServer -> SyncServer): ${net.map((x) => fmt(x)).join(' ')} events/s`,
  );
  console.log(`in-process appendReceivedBatch (no network): ${local.map((x) => fmt(x)).join(' ')} events/s`);
  console.log(`sync: ${fmt(n)} events/s (baseline ${fmt(b)} events/s, ratio ${fmt(n / b, 2)})`);
}
