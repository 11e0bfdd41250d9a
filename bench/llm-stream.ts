/**
 * Tokens/s of stories260K generated locally (LlamaCppBackend directly, 1 thread, fixed seed)
 * against the same request streamed from another node over real HTTPS: node B's CapabilityBus ->
 * HttpClient (signed, TLS-pinned) -> node A's HttpServer -> A's bus -> LlmService -> the same
 * backend. Runs alternate local/remote; medians are reported.
 * Last line: `llm-stream: <remote tok/s> tok/s (baseline <local tok/s> tok/s, ratio <r>)`.
 */
import { toWallClock, type CommunityId } from '../src-main/common';
import { CapabilityBus, type TrustOracle } from '../src-main/runtime/bus';
import { generateKeyPair, signPayload, type NodeManifest } from '../src-main/runtime/identity';
import { collect, LlamaCppBackend, LlmService, llmDescriptors } from '../src-main/runtime/services/llm';
import { createHttpServer, generateSelfSignedCert, HttpClient, PinnedCerts } from '../src-main/runtime/transport';
import { STORIES_GGUF } from '../tests/support/models';
import { fmt } from './lib/transport-fixture';

const MODEL = 'stories260K';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAX_TOKENS = 480;
const REQUEST = { model: MODEL, prompt: 'Once upon a time', max_tokens: MAX_TOKENS, temperature: 0.8, seed: 42 };
const member: TrustOracle = { levelOf: () => 'member', isRevoked: () => false };

/** CPU time of the whole process (all threads: JS, TLS, the model's worker) since `c0`, in us. */
function cpuUs(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function main(): Promise<void> {
  if (!STORIES_GGUF)
    throw new Error('llm-stream: stories260K.gguf not found under ../shared/models or /work/shared/models');
  const backend = new LlamaCppBackend({ modelPath: STORIES_GGUF, maxConcurrent: 1, threads: 1, contextSize: 512 });
  const svc = new LlmService({ backends: [backend] });
  await svc.start();

  // node A: serves the model over HTTPS
  const kpA = generateKeyPair();
  const kpB = generateKeyPair();
  const communityId = kpA.nodeIdFull as unknown as CommunityId;
  const pinsA = new PinnedCerts();
  const busA = new CapabilityBus({
    nodeId: kpA.nodeIdFull,
    communityId,
    transport: new HttpClient({ kp: kpA, pinnedCerts: pinsA }),
    trust: member,
  });
  busA.registerService(svc);
  const tls = generateSelfSignedCert(kpA);
  const manifestRef: { m: unknown } = { m: null };
  const server = createHttpServer({
    kp: kpA,
    tls,
    host: '127.0.0.1',
    port: 0,
    handler: busA,
    nodeManifest: () => manifestRef.m,
  });
  await server.start();
  manifestRef.m = signPayload(
    { node_id: kpA.nodeIdFull, load: { tls_fingerprint: tls.fingerprint }, issued_at: toWallClock() },
    kpA,
  );

  // node B: knows A from its manifest, calls over the wire
  const pinsB = new PinnedCerts();
  const client = new HttpClient({ kp: kpB, pinnedCerts: pinsB });
  const endpoint = { transport: 'https' as const, host: '127.0.0.1', port: server.port };
  await client.learnPeer(endpoint);
  const busB = new CapabilityBus({ nodeId: kpB.nodeIdFull, communityId, transport: client, trust: member });
  for (const d of llmDescriptors()) busB.learn(d.descriptor, d.paramsCompatible);
  busB.onPeerAdded({
    nodeId: kpA.nodeIdFull,
    endpoint,
    manifest: {
      node_id: kpA.nodeIdFull,
      display_name: 'A',
      capabilities: busA.localCapabilitySpecs(),
    } as unknown as NodeManifest,
  });

  const local = async () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await collect(
      backend.complete({
        model: MODEL,
        prompt: REQUEST.prompt,
        maxTokens: MAX_TOKENS,
        temperature: REQUEST.temperature,
        seed: REQUEST.seed,
      }),
    );
    return {
      tokens: r.tokens_out,
      tps: r.tokens_out / ((performance.now() - t0) / 1000),
      cpuUs: cpuUs(c0) / r.tokens_out,
    };
  };
  const remote = async () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let frames = 0;
    let tokens = 0;
    for await (const f of busB.stream('llm.complete', '1.0', REQUEST, { params: { model: MODEL } })) {
      if (f.event === 'token') frames++;
      else if (f.event === 'done') tokens = Number(f.data.tokens_out);
    }
    if (frames === 0 || tokens === 0) throw new Error('llm-stream: the remote stream produced no tokens');
    return { tokens, tps: tokens / ((performance.now() - t0) / 1000), cpuUs: cpuUs(c0) / tokens };
  };

  // For attribution only: the same request through node A's own bus (LlmService + executor, no network).
  const viaLocalBus = async () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let tokens = 0;
    for await (const f of busA.stream('llm.complete', '1.0', REQUEST, { params: { model: MODEL } }))
      if (f.event === 'done') tokens = Number(f.data.tokens_out);
    return { tokens, tps: tokens / ((performance.now() - t0) / 1000), cpuUs: cpuUs(c0) / tokens };
  };

  await local();
  await viaLocalBus();
  await remote(); // warm-up: TLS session, JIT
  const l: number[] = [];
  const r: number[] = [];
  const lc: number[] = [];
  const rc: number[] = [];
  const mb: number[] = [];
  const mc: number[] = [];
  let tokens = 0;
  for (let i = 0; i < RUNS; i++) {
    const a = await local();
    const m = await viaLocalBus();
    const b = await remote();
    mb.push(m.tps);
    mc.push(m.cpuUs);
    if (a.tokens !== b.tokens)
      throw new Error(
        `llm-stream: local and remote generated different lengths (${a.tokens} vs ${b.tokens}); seed not honoured?`,
      );
    tokens = a.tokens;
    l.push(a.tps);
    r.push(b.tps);
    lc.push(a.cpuUs);
    rc.push(b.cpuUs);
  }
  client.close();
  await server.stop();
  pinsA.close();
  pinsB.close();
  await svc.stop();

  const base = median(l);
  const rem = median(r);
  console.log(
    `${tokens} tokens per run (max_tokens ${MAX_TOKENS}, seed ${REQUEST.seed}), ${RUNS} runs each, alternating; medians`,
  );
  console.log(`local LlamaCppBackend: ${l.map((x) => fmt(x)).join(' ')} tok/s`);
  console.log(
    `(attribution) node A's own bus, no network: ${mb.map((x) => fmt(x)).join(' ')} tok/s, CPU ${fmt(median(mc))} us/token`,
  );
  console.log(`remote over HTTPS via the bus: ${r.map((x) => fmt(x)).join(' ')} tok/s`);
  console.log(
    `CPU per token (whole process, median): local ${fmt(median(lc))} us, remote ${fmt(median(rc))} us (both nodes' transport and bus included)`,
  );
  console.log(`llm-stream: ${fmt(rem)} tok/s (baseline ${fmt(base)} tok/s, ratio ${fmt(rem / base, 2)})`);
}
