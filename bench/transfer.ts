/**
 * Issue 13: a 256 MiB file from household A to household B, end to end — from the file on A's
 * disk to a complete, verified copy on B's disk — through two running nodes (A in this process,
 * B in a child so its RSS and CPU are its own; no CLI start-up), against:
 *  (a) the raw limit on this machine, same run: one Node HTTPS stream of the same bytes (1 MiB
 *      writes) into a file, hashed with native BLAKE3 as it arrives, datasync'd;
 *  (b) Syncthing, when a `syncthing` binary is installed (else one line says it was skipped), with
 *      everything that could leave the machine off, inside a loopback-only network namespace when
 *      `unshare -n` works (bench/lib/syncthing.ts).
 * Each round runs the three sides back to back (A/B in the same minute); medians are reported.
 * HearthNet's time is `files add` (import + advertise) on A plus `files get --out` on B. While B
 * receives, it answers a local bus call every 25 ms (p99 reported: the node stays responsive).
 * Then the same for a file held by three neighbours, and for 1,000 small files (a photo folder).
 *
 * Last line: `transfer: <MB/s> (syncthing <MB/s>, ratio <r>)`; the ratio against the raw limit is
 * printed above it. Targets: ratio >= 1.0 vs Syncthing, >= 0.6 of the limit, receiver RSS < 200 MB.
 * BENCH_TRANSFER_MB (256), BENCH_TRANSFER_RUNS (3), BENCH_TRANSFER_FILES (1000, 0 skips),
 * BENCH_TRANSFER_HOLDERS (3, 1 skips).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobManifest } from '../src-main/runtime/blobs';
import type { createMesh } from '../tests/support/mesh';
import { findSyncthing } from './lib/syncthing';
import { childMain, type Msg, type Result } from './lib/transfer-children';

const MIB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_TRANSFER_MB ?? 256);
const RUNS = Math.max(1, Number(process.env.BENCH_TRANSFER_RUNS ?? 3));
const SMALL_FILES = Number(process.env.BENCH_TRANSFER_FILES ?? 1000);
const HOLDERS = Math.max(1, Number(process.env.BENCH_TRANSFER_HOLDERS ?? 3));
export const CHILD_FLAG = '--transfer-bench-child';

/** Writes `mb` MiB where every 256 KiB piece differs (so nothing dedupes), 1 MiB at a time. */
async function makeFile(path: string, bytes: number, seed = 0): Promise<void> {
  const block = randomBytes(Math.min(MIB, bytes));
  const fh = await open(path, 'w');
  try {
    for (let off = 0, i = 0; off < bytes; off += block.length, i++) {
      for (let q = 0; q * 262_144 < block.length; q++) block.writeUInt32LE(seed * 1_000_003 + i * 4 + q, q * 262_144);
      await fh.write(block, 0, Math.min(block.length, bytes - off), off);
    }
  } finally {
    await fh.close();
  }
}

/** The raw limit's sender: node:https with a self-signed certificate streaming the file in 1 MiB reads. */
async function httpsServer(path: string): Promise<{ server: Server; port: number }> {
  const { generateKeyPair } = await import('../src-main/runtime/identity');
  const { generateSelfSignedCert } = await import('../src-main/runtime/transport');
  const tls = generateSelfSignedCert(generateKeyPair());
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => {
    void stat(path)
      .then((s) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': s.size });
        return pipeline(createReadStream(path, { highWaterMark: MIB }), res);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** Whether `unshare -n` (a private, loopback-only network namespace) works here. */
function canUnshareNet(): boolean {
  return spawnSync('unshare', ['-n', 'true']).status === 0;
}

/** A child process running this bundle in `role`; messages arrive through `next()`. */
function spawnChild(role: string, opts: { netns?: boolean } = {}) {
  const self = fileURLToPath(import.meta.url);
  const prof =
    process.env.BENCH_TRANSFER_PROF && role === 'mesh'
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_TRANSFER_PROF}`]
      : [];
  const argv = [...process.execArgv, ...prof, self, CHILD_FLAG, role];
  // In a fresh network namespace only loopback exists (brought up here); the IPC channel's fd and env are inherited through exec.
  const child = opts.netns
    ? spawn(
        'unshare',
        ['-n', '--', 'sh', '-c', 'ip link set lo up 2>/dev/null || true; exec "$@"', 'sh', process.execPath, ...argv],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      )
    : spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Msg[] = [];
  const waiters: ((m: Msg) => void)[] = [];
  child.on('message', (m: Msg) => (waiters.length ? waiters.shift()!(m) : queue.push(m)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    send: (m: Msg) => child.send(m),
    next: (type: string, timeoutMs = 300_000) =>
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
      if (child.exitCode === null && child.connected) child.send({ type: 'exit' });
      const t = setTimeout(() => child.kill(), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

type Child = ReturnType<typeof spawnChild>;
const rate = (bytes: number, ms: number) => bytes / MIB / (ms / 1000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x: number) => x.toFixed(0);

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-transfer-'));
  const src = join(dir, 'source.bin');
  const bytes = SIZE_MB * MIB;
  let mesh: Awaited<ReturnType<typeof createMesh>> | null = null;
  let base: Awaited<ReturnType<typeof httpsServer>> | null = null;
  const children: Child[] = [];
  const child = (role: string, o?: { netns?: boolean }) => {
    const c = spawnChild(role, o);
    children.push(c);
    return c;
  };
  try {
    console.log(`transfer: ${SIZE_MB} MiB, ${RUNS} rounds; load ${loadavg()}`);
    await makeFile(src, bytes);

    const { createMesh } = await import('../tests/support/mesh');
    mesh = await createMesh(1);
    const alice = mesh.nodes[0].node;
    const sa = alice.scope()!.services;
    /** A whole node in a child process (its own thread, RSS and CPU), a member invited by A. */
    const member = async (sources: string[]) => {
      const c = child('mesh');
      const hello = await c.next('hello');
      const invite = await alice.api.createInvite({ nodeId: String(hello.node_id), level: 'member', ttlSeconds: 3600 });
      c.send({ type: 'invite', text: invite.text, sources });
      await c.next('ready');
      return { c, id: String(hello.node_id) };
    };
    // More holders of the same file, each in its own process like a real neighbour.
    const others: { c: Child; id: string }[] = [];
    for (let i = 1; i < HOLDERS; i++) others.push(await member([alice.kp.nodeIdFull]));
    const holderIds = [alice.kp.nodeIdFull, ...others.map((o) => o.id)];
    // Receiver B.
    const bob = (await member(holderIds)).c;

    base = await httpsServer(src);
    const https = child('https');
    await https.next('hello');
    const bin = findSyncthing();
    let st: Child | null = null;
    if (!bin) console.log('syncthing: not installed (apt-get install syncthing), skipped');
    else {
      const netns = canUnshareNet();
      st = child('syncthing', { netns });
      st.send({ type: 'start', bin, work: join(dir, 'st'), source: src });
      await st.next('started');
      console.log(
        `syncthing: ${bin}, ${netns ? 'in a loopback-only network namespace' : 'in this network namespace (unshare -n unavailable)'}; discovery, relays, NAT, STUN, reporting, upgrades off`,
      );
    }

    const expected = await sha256File(src);
    const limitMs: number[] = [];
    const hnMs: number[] = [];
    const stMs: number[] = [];
    const fetchMs: number[] = [];
    let peakRss = 0;
    const probes: number[] = [];
    const idleProbes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      https.send({ type: 'get', port: base.port, out: join(dir, `limit-${run}.bin`) });
      const lr = (await https.next('result')).result as Result;
      limitMs.push(lr.ms);

      // HearthNet: `files add` on A (hash in place, pin, advertise), then `files get --out` on B.
      const t0 = performance.now();
      const m = await sa.fileClient.addFile(src, { pin: true });
      await sa.files.advertise([m.cid]);
      const tAdded = performance.now();
      const senderCpu0 = process.cpuUsage();
      bob.send({ type: 'fetch', cids: [m.cid], out: join(dir, `b-${run}`), sources: [alice.kp.nodeIdFull] });
      const br = (await bob.next('result')).result as Result;
      const senderCpu = process.cpuUsage(senderCpu0);
      const ms = tAdded - t0 + br.ms; // B's own clock from the request to the file in place (not its untimed byte check)
      if (br.sha256 !== expected) throw new Error('B received different bytes');
      hnMs.push(ms);
      fetchMs.push(br.ms);
      peakRss = Math.max(peakRss, br.max_rss);
      probes.push(br.probe_p99_ms);
      await forget(alice, m);

      let stLine = '';
      if (st) {
        st.send({ type: 'run' });
        const sr = (await st.next('result')).result as Result;
        stMs.push(sr.ms);
        stLine = `, syncthing ${fmt(rate(bytes, sr.ms))} MB/s (${(sr.ms / 1000).toFixed(2)} s)`;
      }
      idleProbes.push(br.probe_idle_p99_ms ?? 0);
      console.log(
        `round ${run + 1}: limit ${fmt(rate(bytes, lr.ms))} MB/s (${(lr.ms / 1000).toFixed(2)} s)${stLine}; hearthnet ${fmt(rate(bytes, ms))} MB/s (${(ms / 1000).toFixed(2)} s: add ${((tAdded - t0) / 1000).toFixed(2)} s, get ${(br.ms / 1000).toFixed(2)} s, of it after the last piece ${((br.ms - (br.last_chunk_ms ?? br.ms)) / 1000).toFixed(2)} s; B peak RSS ${fmt(br.max_rss / 1e6)} MB (idle ${fmt((br.rss_before ?? 0) / 1e6)}), B CPU ${(br.cpu_ms / 1000).toFixed(1)} s, A CPU ${((senderCpu.user + senderCpu.system) / 1e6).toFixed(1)} s, bus p99 ${br.probe_p99_ms.toFixed(1)} ms, idle ${(br.probe_idle_p99_ms ?? 0).toFixed(1)} ms); load ${loadavg()}`,
      );
    }
    const hn = rate(bytes, median(hnMs));
    const limit = rate(bytes, median(limitMs));

    if (HOLDERS > 1) {
      // The same file held by every holder (each added it); B pulls parts from all of them at once.
      const m = await sa.fileClient.addFile(src, { pin: true });
      await sa.files.advertise([m.cid]);
      for (const o of others) {
        o.c.send({ type: 'add', path: src });
        if ((await o.c.next('added')).cid !== m.cid) throw new Error('a holder computed another id');
      }
      bob.send({ type: 'fetch', cids: [m.cid], out: join(dir, 'b-holders'), sources: holderIds });
      const r = (await bob.next('result')).result as Result;
      if (r.sha256 !== expected) throw new Error('B received different bytes from the holders');
      console.log(
        `${HOLDERS} holders (each its own process): files get ${fmt(rate(bytes, r.ms))} MB/s (${(r.ms / 1000).toFixed(2)} s; one holder: ${fmt(rate(bytes, median(fetchMs)))} MB/s), B peak RSS ${fmt(r.max_rss / 1e6)} MB, bus p99 ${r.probe_p99_ms.toFixed(1)} ms; load ${loadavg()}`,
      );
      await forget(alice, m);
    }

    if (SMALL_FILES > 0) await smallFiles(dir, alice, bob, st);

    console.log(
      `receiver peak RSS: ${fmt(peakRss / 1e6)} MB; bus call p99 during transfers: ${Math.max(...probes).toFixed(1)} ms (the same probe idle just before: ${Math.max(...idleProbes).toFixed(1)} ms)`,
    );
    console.log(`raw limit (https + native BLAKE3): ${fmt(limit)} MB/s, ratio to it ${(hn / limit).toFixed(2)}`);
    if (stMs.length) {
      const s = rate(bytes, median(stMs));
      console.log(`transfer: ${fmt(hn)} MB/s (syncthing ${fmt(s)} MB/s, ratio ${(hn / s).toFixed(2)})`);
    } else {
      console.log(
        `transfer: ${fmt(hn)} MB/s (syncthing skipped, raw limit ${fmt(limit)} MB/s, ratio ${(hn / limit).toFixed(2)})`,
      );
    }
  } finally {
    for (const c of children) await c.close().catch(() => undefined);
    await mesh?.close();
    if (base) await new Promise<void>((r) => base!.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}

type Node = Awaited<ReturnType<typeof createMesh>>['nodes'][number]['node'];

/** Unpins and removes a blob on a sender, so the next round adds the file afresh. */
async function forget(node: Node, m: Pick<BlobManifest, 'cid'>): Promise<void> {
  const store = node.scope()!.services.blobs;
  await store.unpin(m.cid);
  await store.deleteBlob(m.cid);
}

/** 1,000 files of 64 KiB: all added on A (one batch), all fetched by B (one batch); and Syncthing on the same folder. */
async function smallFiles(dir: string, alice: Node, bob: Child, st: Child | null): Promise<void> {
  const folder = join(dir, 'photos');
  mkdirSync(folder);
  const size = 64 * 1024;
  for (let i = 0; i < SMALL_FILES; i++)
    writeFileSync(join(folder, `img-${String(i).padStart(4, '0')}.jpg`), randomBytes(size));
  const total = SMALL_FILES * size;
  const s = alice.scope()!.services;
  const t0 = performance.now();
  const paths = Array.from({ length: SMALL_FILES }, (_, i) => join(folder, `img-${String(i).padStart(4, '0')}.jpg`));
  const cids = (await s.fileClient.addFiles(paths, { pin: true })).map((m) => m.cid); // `files add` of a folder
  for (let i = 0; i < cids.length; i += 256) await s.files.advertise(cids.slice(i, i + 256));
  const tAdded = performance.now();
  bob.send({ type: 'fetch', cids, out: join(dir, 'b-photos'), sources: [alice.kp.nodeIdFull] });
  const r = (await bob.next('result')).result as Result;
  const ms = tAdded - t0 + r.ms;
  let stLine = '';
  if (st) {
    st.send({ type: 'run-folder', folder });
    const sr = (await st.next('result')).result as Result;
    stLine = `; syncthing ${fmt(rate(total, sr.ms))} MB/s (${(sr.ms / 1000).toFixed(2)} s), ratio ${(sr.ms / ms).toFixed(2)}`;
  }
  console.log(
    `${SMALL_FILES} files of 64 KiB: hearthnet ${fmt(rate(total, ms))} MB/s (${(ms / 1000).toFixed(2)} s: add ${((tAdded - t0) / 1000).toFixed(2)} s, get ${(r.ms / 1000).toFixed(2)} s)${stLine}`,
  );
}

function loadavg(): string {
  return spawnSync('sh', ['-c', "cut -d' ' -f1-3 /proc/loadavg"], { encoding: 'utf8' }).stdout.trim();
}

if (process.argv[2] === CHILD_FLAG) childMain(process.argv[3]);
