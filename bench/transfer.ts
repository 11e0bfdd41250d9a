/**
 * A 512 MiB file between two real nodes on loopback (sender here, receiver in a child process so
 * its peak RSS is its own) against a plain HTTPS download of the same file to disk, also in a
 * child. Both sides end with the file on disk and datasync'd. Last lines:
 * `receiver peak RSS: <N> MB` then `transfer: <MB/s> MB/s (baseline <MB/s> MB/s, ratio <r>)`.
 * Targets: ratio >= 0.6, receiver peak RSS < 200 MB. BENCH_TRANSFER_MB picks another size;
 * BENCH_TRANSFER_RUNS runs each side several times, alternating, and reports the medians.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { RunningNode } from '../src-main/runtime/node';
import type { createMesh } from '../tests/support/mesh';

const MIB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_TRANSFER_MB ?? 512);
const RUNS = Math.max(1, Number(process.env.BENCH_TRANSFER_RUNS ?? 1));
const CHILD_FLAG = '--transfer-bench-child';

/** What a child reports when it has the file on disk. */
interface Result {
  ms: number;
  bytes: number;
  sha256: string;
  /** process.resourceUsage().maxRSS, in bytes. */
  max_rss: number;
  /** RSS before the transfer started (the idle process), bytes. */
  rss_before: number;
  /** CPU time of the whole process (all threads) during the transfer, ms: user + system, and system alone. */
  cpu_ms: number;
  sys_ms: number;
}

type Msg = { type: string; [k: string]: unknown };

/** Writes `mb` MiB where every 256 KiB piece differs (so nothing dedupes), 1 MiB at a time. */
async function makeFile(path: string, mb: number): Promise<void> {
  const block = randomBytes(MIB);
  const fh = await open(path, 'w');
  try {
    for (let i = 0; i < mb; i++) {
      for (let q = 0; q < 4; q++) block.writeUInt32LE(i * 4 + q, q * 256 * 1024);
      await fh.write(block, 0, MIB, i * MIB);
    }
  } finally {
    await fh.close();
  }
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** A child process running this file in `role`; messages arrive through `next()`. */
function spawnChild(role: string) {
  // BENCH_TRANSFER_PROF=<dir> writes a CPU profile of the receiver there.
  const prof = process.env.BENCH_TRANSFER_PROF && role === 'mesh' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_TRANSFER_PROF}`] : [];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...prof] });
  const queue: Msg[] = [];
  const waiters: ((m: Msg) => void)[] = [];
  child.on('message', (m: Msg) => (waiters.length ? waiters.shift()!(m) : queue.push(m)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    send: (m: Msg) => child.send(m),
    next: (type: string, timeoutMs = 120_000) =>
      new Promise<Msg>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`child ${role}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
        const take = (m: Msg) => {
          clearTimeout(t);
          if (m.type === 'error') reject(new Error(`child ${role}: ${String(m.message)}`));
          else if (m.type !== type) reject(new Error(`child ${role}: expected "${type}", got "${m.type}"`));
          else resolve(m);
        };
        if (queue.length) take(queue.shift()!);
        else waiters.push(take);
      }),
    async close() {
      if (child.exitCode === null) child.send({ type: 'exit' });
      const t = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The baseline: node:https with a self-signed certificate streaming the file. */
async function httpsServer(path: string): Promise<{ server: Server; port: number }> {
  const { generateKeyPair } = await import('../src-main/runtime/identity');
  const { generateSelfSignedCert } = await import('../src-main/runtime/transport');
  const tls = generateSelfSignedCert(generateKeyPair());
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    void stat(path).then((s) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': s.size });
      return pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), res);
    }).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

const mbps = (r: Result) => r.bytes / MIB / (r.ms / 1000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-transfer-'));
  const src = join(dir, 'source.bin');
  let mesh: Awaited<ReturnType<typeof createMesh>> | null = null;
  let receiver: ReturnType<typeof spawnChild> | null = null;
  let base: Awaited<ReturnType<typeof httpsServer>> | null = null;
  try {
    console.log(`transfer: writing a ${SIZE_MB} MiB file ...`);
    await makeFile(src, SIZE_MB);
    const expected = await sha256File(src);

    base = await httpsServer(src);
    const { createMesh } = await import('../tests/support/mesh');
    mesh = await createMesh(1);
    const alice = mesh.nodes[0].node;
    const services = alice.scope()!.services;
    const t0 = performance.now();
    const m = await services.fileClient.addFile(src);
    console.log(`sender import: ${(SIZE_MB / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s (${m.chunks.length} chunks)`);
    await services.files.advertise([m.cid]);

    receiver = spawnChild('mesh');
    const hello = await receiver.next('hello');
    const invite = await alice.api.createInvite({ nodeId: String(hello.node_id), level: 'member', ttlSeconds: 3600 });
    receiver.send({ type: 'invite', text: invite.text, sender: alice.kp.nodeIdFull });
    await receiver.next('ready');

    const meshRuns: Result[] = [];
    const fileRuns: Result[] = [];
    const baseRuns: Result[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Baseline first each round, each in a fresh child: the two alternate so load drift hits both.
      const b = spawnChild('https');
      b.send({ type: 'get', port: base.port, out: join(dir, `https-${run}.bin`) });
      const br = (await b.next('result', 300_000)).result as Result;
      await b.close();
      rmSync(join(dir, `https-${run}.bin`), { force: true });
      if (br.sha256 !== expected) throw new Error('baseline download differs from the source');
      baseRuns.push(br);

      receiver.send({ type: 'fetch', cid: m.cid, out: join(dir, `mesh-${run}.bin`), fresh: true, mode: 'store' });
      const mr = (await receiver.next('result', 300_000)).result as Result;
      receiver.send({ type: 'fetch', cid: m.cid, out: join(dir, `mesh-${run}.bin`), fresh: true, mode: 'file' });
      const fr = (await receiver.next('result', 300_000)).result as Result;
      rmSync(join(dir, `mesh-${run}.bin`), { force: true });
      if (mr.sha256 !== expected || fr.sha256 !== expected) throw new Error('mesh transfer differs from the source');
      meshRuns.push(mr);
      fileRuns.push(fr);
      const line = (r: Result) => `${mbps(r).toFixed(0)} MB/s (${(r.ms / 1000).toFixed(1)} s, peak RSS ${(r.max_rss / 1e6).toFixed(0)} MB, receiver CPU ${(r.cpu_ms / 1000).toFixed(1)} s, of it system ${(r.sys_ms / 1000).toFixed(1)} s)`;
      console.log(`run ${run + 1}: https ${line(br)}\n       mesh into the node's store ${line(mr)}\n       mesh into the store and a file (files get --out) ${line(fr)}`);
    }
    const meshMbps = median(meshRuns.map(mbps));
    const baseMbps = median(baseRuns.map(mbps));
    console.log(`files get --out (store + file): ${median(fileRuns.map(mbps)).toFixed(0)} MB/s, ratio ${(median(fileRuns.map(mbps)) / baseMbps).toFixed(2)}`);
    console.log(`receiver peak RSS: ${(Math.max(...meshRuns.concat(fileRuns).map((r) => r.max_rss)) / 1e6).toFixed(0)} MB`);
    console.log(`transfer: ${meshMbps.toFixed(0)} MB/s (baseline ${baseMbps.toFixed(0)} MB/s, ratio ${(meshMbps / baseMbps).toFixed(2)})`);
  } finally {
    await receiver?.close();
    await mesh?.close();
    if (base) await new Promise<void>((r) => base!.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- child processes ----

/** Waits for the next message of `type` from the parent. */
function fromParent(type: string): Promise<Msg> {
  return new Promise((resolve) => {
    const on = (m: Msg) => {
      if (m.type !== type) return;
      process.off('message', on);
      resolve(m);
    };
    process.on('message', on);
  });
}

/** `cpu`: process.cpuUsage(start) taken when the transfer ended. */
async function finish(path: string, ms: number, rssBefore: number, cpu: NodeJS.CpuUsage): Promise<Result> {
  const bytes = (await stat(path)).size;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  return { ms, bytes, sha256: await sha256File(path), max_rss: maxRss, rss_before: rssBefore, cpu_ms: (cpu.user + cpu.system) / 1000, sys_ms: cpu.system / 1000 };
}

async function httpsChild(): Promise<void> {
  const msg = await fromParent('get');
  const out = String(msg.out);
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(msg.port), path: '/file', rejectUnauthorized: false }, (res) => {
      const ws = createWriteStream(out);
      pipeline(res, ws).then(resolve, reject);
    });
    req.on('error', reject);
    req.end();
  });
  const fh = await open(out, 'r+');
  await fh.datasync();
  await fh.close();
  const ms = performance.now() - t0;
  process.send!({ type: 'result', result: await finish(out, ms, rssBefore, process.cpuUsage(cpu0)) });
  await fromParent('exit');
}

async function meshChild(): Promise<void> {
  // The runtime is imported here, not at the top, so the baseline child stays a bare node process.
  const { loadConfig, saveConfig } = await import('../src-main/runtime/config');
  const { loadOrGenerateKeyPair } = await import('../src-main/runtime/identity');
  const { startNode } = await import('../src-main/runtime/node');
  const { testConfig, waitFor } = await import('../tests/support/mesh');
  const home = mkdtempSync(join(tmpdir(), 'hn-bench-bob-'));
  let node: RunningNode | null = null;
  try {
    const config = testConfig(home, 'bob');
    const kp = loadOrGenerateKeyPair(config.identity.keys_dir);
    const configFile = join(home, 'config.toml');
    saveConfig(config, configFile, { env: { HEARTHNET_HOME: home } });
    node = await startNode({ config: loadConfig(configFile, { env: { HEARTHNET_HOME: home } }), configFile, name: 'bob', syncIntervalMs: 500, writeRuntimeFile: false, autodetectLlm: false });
    process.send!({ type: 'hello', node_id: kp.nodeIdFull });
    const inv = await fromParent('invite');
    await node.api.redeemInvite({ text: String(inv.text) });
    const n = node;
    await waitFor(() => n.bus.registry.find('file.read', [1, 0]).some((e) => !e.is_local && e.node_id === inv.sender), 30_000, 'file.read at the sender');
    process.send!({ type: 'ready' });
    for (;;) {
      const msg = await Promise.race([fromParent('fetch'), fromParent('exit')]);
      if (msg.type === 'exit') break;
      const store = n.scope()!.services.blobs;
      if (msg.fresh) for (const c of await store.listCids()) await store.deleteBlob(c); // each run starts from an empty store
      const rssBefore = process.memoryUsage().rss;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const sources = [String(inv.sender)];
      if (msg.mode === 'file') {
        // What `files get <cid> --out <path>` does: into the store and the file at once.
        await n.scope()!.services.fileClient.fetchToFile(String(msg.cid), () => String(msg.out), { sources });
      } else {
        // The node-to-node transfer: the blob complete and verified in this node's store.
        await n.scope()!.services.fileClient.fetch(String(msg.cid), { sources });
      }
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (msg.mode !== 'file') await store.exportToFile(String(msg.cid), String(msg.out)); // untimed: only to check the bytes
      process.send!({ type: 'result', result: await finish(String(msg.out), ms, rssBefore, cpu) });
      rmSync(String(msg.out), { force: true });
    }
  } catch (err) {
    process.send!({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  } finally {
    await node?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG) {
  const role = process.argv[3];
  (role === 'https' ? httpsChild() : meshChild()).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
