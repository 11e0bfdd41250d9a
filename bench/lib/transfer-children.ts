/**
 * The child processes of bench/transfer: `https` (the raw-limit receiver), `mesh` (household B,
 * a whole node) and `syncthing` (two Syncthing instances, possibly in their own network namespace).
 * Each talks to the bench over the IPC channel.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RunningNode } from '../../src-main/runtime/node';

export type Msg = { type: string; [k: string]: unknown };

/** What a child reports for one run. */
export interface Result {
  ms: number;
  bytes: number;
  sha256: string;
  /** process.resourceUsage().maxRSS, in bytes. */
  max_rss: number;
  /** CPU time of the whole process during the run, ms. */
  cpu_ms: number;
  /** p99 latency of a local bus call made every 25 ms during the run (mesh only), ms. */
  probe_p99_ms: number;
  /** RSS when the run started (the idle process), bytes. */
  rss_before?: number;
  /** The same probe's p99 just before the run, with no transfer (mesh only), ms: the machine's share. */
  probe_idle_p99_ms?: number;
  /** When the last piece was stored (mesh only), ms from the start. */
  last_chunk_ms?: number;
}

function fromParent(...types: string[]): Promise<Msg> {
  return new Promise((resolve) => {
    const on = (m: Msg) => {
      if (!types.includes(m.type) && m.type !== 'exit') return;
      process.off('message', on);
      resolve(m);
    };
    process.on('message', on);
  });
}

const send = (m: Msg) => process.send!(m);

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** CPU time of the whole process (every thread) since `cpu0`, ms. */
function cpuSince(cpu0: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000;
}

function result(ms: number, bytes: number, sha: string, cpu0: NodeJS.CpuUsage, probe = 0): Result {
  return {
    ms,
    bytes,
    sha256: sha,
    max_rss: process.resourceUsage().maxRSS * 1024,
    cpu_ms: cpuSince(cpu0),
    probe_p99_ms: probe,
  };
}

/** The raw limit: one HTTPS stream of the file (1 MiB writes) into a file, native BLAKE3 as it arrives, datasync. */
async function httpsChild(): Promise<void> {
  const { Blake3Hasher } = (await import('@napi-rs/blake-hash')) as typeof import('@napi-rs/blake-hash');
  send({ type: 'hello' });
  for (;;) {
    const msg = await fromParent('get');
    if (msg.type === 'exit') return;
    const out = String(msg.out);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const hasher = new Blake3Hasher();
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: Number(msg.port), path: '/file', rejectUnauthorized: false },
        (res) => {
          res.on('data', (b: Buffer) => {
            hasher.update(b);
            bytes += b.length;
          });
          pipeline(res, createWriteStream(out, { highWaterMark: 1024 * 1024 })).then(resolve, reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    hasher.digest('hex');
    const fh = await open(out, 'r+');
    await fh.datasync();
    await fh.close();
    const ms = performance.now() - t0;
    send({ type: 'result', result: result(ms, bytes, '', cpu0) });
    rmSync(out, { force: true });
  }
}

/** p99 of a sample list. */
const p99 = (xs: number[]) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] : 0;

/** Household B: a whole node, a member; fetches what it is told into files, answering a local bus call every 25 ms meanwhile. */
async function meshChild(): Promise<void> {
  const { loadConfig, saveConfig } = await import('../../src-main/runtime/config');
  const { loadOrGenerateKeyPair } = await import('../../src-main/runtime/identity');
  const { startNode } = await import('../../src-main/runtime/node');
  const { testConfig, waitFor } = await import('../../tests/support/mesh');
  const home = mkdtempSync(join(tmpdir(), 'hn-bench-bob-'));
  let node: RunningNode | null = null;
  try {
    const config = testConfig(home, 'bob');
    const kp = loadOrGenerateKeyPair(config.identity.keys_dir);
    const configFile = join(home, 'config.toml');
    saveConfig(config, configFile, { env: { HEARTHNET_HOME: home } });
    node = await startNode({
      config: loadConfig(configFile, { env: { HEARTHNET_HOME: home } }),
      configFile,
      name: 'bob',
      syncIntervalMs: 500,
      writeRuntimeFile: false,
      autodetectLlm: false,
    });
    send({ type: 'hello', node_id: kp.nodeIdFull });
    const inv = await fromParent('invite');
    await node.api.redeemInvite({ text: String(inv.text) });
    const n = node;
    for (const s of inv.sources as string[])
      await waitFor(
        () => n.bus.registry.find('file.read', [1, 0]).some((e) => !e.is_local && e.node_id === s),
        60_000,
        'file.read at a holder',
      );
    send({ type: 'ready' });
    for (;;) {
      const msg = await fromParent('fetch', 'add');
      if (msg.type === 'exit') break;
      const services = n.scope()!.services;
      if (msg.type === 'add') {
        // A holder: `files add` of the same file, offered to neighbours.
        const m = await services.fileClient.addFile(String(msg.path), { pin: true });
        await services.files.advertise([m.cid]);
        send({ type: 'added', cid: m.cid });
        continue;
      }
      const store = services.blobs;
      for (const c of await store.listCids()) await store.deleteBlob(c); // each run starts from an empty store
      const out = String(msg.out);
      mkdirSync(out, { recursive: true });
      const cids = msg.cids as string[];
      const sources = msg.sources as string[];
      // The same probe with nothing running first: what this machine's load alone costs a call.
      const idleLat: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        await n.bus.call('file.list', [1, 0], { limit: 1 }, { params: { node_id: kp.nodeIdFull } });
        idleLat.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 25));
      }
      const lat: number[] = [];
      let probing = true;
      const probe = (async () => {
        for (let i = 0; probing && i < 100_000; i++) {
          const t = performance.now();
          await n.bus.call('file.list', [1, 0], { limit: 1 }, { params: { node_id: kp.nodeIdFull } });
          lat.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const rssBefore = process.memoryUsage().rss;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let lastChunk = 0;
      const paths: string[] = [];
      const target = (m: { cid: string; filename: string | null }) => join(out, m.filename ?? m.cid.slice(7));
      if (cids.length === 1) {
        // `files get --out`: one big file.
        const r = await services.fileClient.fetchToFile(cids[0], target, {
          sources,
          onProgress: (p) => p.done_chunks === p.total_chunks && (lastChunk = performance.now()),
        });
        paths.push(r.path);
      } else {
        // A folder: small files in shared requests, made durable together (FileClient.fetchManyToFiles).
        for (const r of await services.fileClient.fetchManyToFiles(cids, target, { sources })) paths.push(r.path);
        lastChunk = performance.now();
      }
      const ms = performance.now() - t0;
      const cpuMs = cpuSince(cpu0); // the transfer's, not the byte check's below
      probing = false;
      await probe;
      let bytes = 0;
      for (const p of paths) bytes += (await stat(p)).size;
      const sha = paths.length === 1 ? await sha256File(paths[0]) : '';
      send({
        type: 'result',
        result: {
          ...result(ms, bytes, sha, cpu0, p99(lat)),
          cpu_ms: cpuMs,
          last_chunk_ms: lastChunk - t0,
          rss_before: rssBefore,
          probe_idle_p99_ms: p99(idleLat),
        },
      });
      rmSync(out, { recursive: true, force: true });
    }
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  } finally {
    await node?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function syncthingChild(): Promise<void> {
  const { startSyncthing } = await import('./syncthing');
  const start = await fromParent('start');
  if (start.type === 'exit') return;
  await mkdir(String(start.work), { recursive: true });
  const st = await startSyncthing(String(start.bin), String(start.work), 22_000 + (process.pid % 1000) * 4);
  try {
    send({ type: 'started' });
    for (;;) {
      const msg = await new Promise<Msg>((resolve) => process.once('message', resolve));
      if (msg.type === 'exit') break;
      const cpu0 = process.cpuUsage();
      if (msg.type === 'run') {
        const ms = await st.run(String(start.source));
        send({ type: 'result', result: result(ms, (await stat(String(start.source))).size, '', cpu0) });
      } else if (msg.type === 'run-folder') {
        const ms = await st.runFolder(String(msg.folder));
        send({ type: 'result', result: result(ms, 0, '', cpu0) });
      }
    }
  } finally {
    await st.stop();
  }
}

export function childMain(role: string): void {
  const run = role === 'https' ? httpsChild : role === 'syncthing' ? syncthingChild : meshChild;
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      try {
        send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      } catch {
        // the channel is gone
      }
      console.error(err);
      process.exit(1);
    },
  );
}
