/**
 * Syncthing as the peer to beat in bench/transfer: two instances on loopback share one folder; a
 * run is "a file appears in A's folder" (rename, then a rescan request, as its watcher would do)
 * until "the whole file is in B's folder" (Syncthing writes a temp file and renames it when every
 * block is verified), i.e. scan + hash + transfer + verify + write, like the HearthNet figure.
 *
 * Everything that could leave the machine is off: global and local discovery, relays, NAT
 * traversal (UPnP/NAT-PMP), STUN, usage and crash reporting, upgrades; devices find each other
 * only at fixed 127.0.0.1 addresses. The bench runs this inside a loopback-only network namespace
 * when it can (`unshare -n`). `setLowPriority` is off so Syncthing competes on equal terms.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const API_KEY = 'hearthnet-bench-key';
const FOLDER = 'bench';

/** The syncthing binary on PATH, or null. */
export function findSyncthing(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v syncthing'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

interface Instance {
  readonly name: string;
  readonly home: string;
  readonly folder: string;
  readonly id: string;
  readonly gui: number;
  readonly listen: number;
  proc?: ChildProcess;
}

function configXml(me: Instance, other: Instance): string {
  const device = (d: Instance) =>
    `<device id="${d.id}" name="${d.name}" compression="never" introducer="false"><address>tcp://127.0.0.1:${d.listen}</address><autoAcceptFolders>false</autoAcceptFolders></device>`;
  return `<configuration version="36">
  <folder id="${FOLDER}" label="${FOLDER}" path="${me.folder}" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="false" ignorePerms="false" autoNormalize="true">
    <filesystemType>basic</filesystemType>
    <device id="${me.id}"></device><device id="${other.id}"></device>
    <minDiskFree unit="%">0</minDiskFree>
  </folder>
  ${device(me)}
  ${device(other)}
  <gui enabled="true" tls="false"><address>127.0.0.1:${me.gui}</address><apikey>${API_KEY}</apikey></gui>
  <options>
    <listenAddress>tcp://127.0.0.1:${me.listen}</listenAddress>
    <globalAnnounceServer></globalAnnounceServer>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled>
    <natEnabled>false</natEnabled>
    <stunServer></stunServer>
    <stunKeepaliveStartS>0</stunKeepaliveStartS>
    <urAccepted>-1</urAccepted>
    <urURL></urURL>
    <crashReportingEnabled>false</crashReportingEnabled>
    <crashReportingURL></crashReportingURL>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
    <releasesURL></releasesURL>
    <startBrowser>false</startBrowser>
    <announceLANAddresses>false</announceLANAddresses>
    <setLowPriority>false</setLowPriority>
    <minHomeDiskFree unit="%">0</minHomeDiskFree>
  </options>
</configuration>
`;
}

async function api(inst: Instance, path: string, method = 'GET'): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${inst.gui}${path}`, { method, headers: { 'X-API-Key': API_KEY } });
  if (!res.ok) throw new Error(`syncthing ${inst.name} ${path}: HTTP ${res.status}`);
  const text = await res.text();
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Polls `fn` every `everyMs` until it returns a truthy value, at most `timeoutMs`. */
async function until<T>(fn: () => Promise<T>, timeoutMs: number, what: string, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`syncthing: no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const sha256 = async (path: string) => {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
};

/**
 * Two running, connected Syncthing instances. `run(source)` moves one file from A to B and
 * resolves to the ms it took; `stop()` ends both. `work` must be on the same filesystem as the
 * source (the file enters A's folder as a hard link: the same bytes, already in the page cache).
 */
export async function startSyncthing(
  bin: string,
  work: string,
  basePort: number,
): Promise<{
  run(source: string): Promise<number>;
  runFolder(folder: string): Promise<number>;
  stop(): Promise<void>;
}> {
  const insts: Instance[] = [];
  for (const [i, name] of ['a', 'b'].entries()) {
    const home = join(work, `st-${name}`);
    const folder = join(work, `st-${name}-folder`);
    await mkdir(folder, { recursive: true });
    const gen = spawnSync(bin, ['generate', `--home=${home}`, '--no-default-folder', '--skip-port-probing'], {
      encoding: 'utf8',
    });
    const id = /Device ID:\s*([A-Z0-9-]{63})/.exec(gen.stdout + gen.stderr)?.[1];
    if (!id) throw new Error(`syncthing generate failed: ${gen.stderr || gen.stdout}`);
    insts.push({ name, home, folder, id, gui: basePort + i * 2, listen: basePort + i * 2 + 1 });
  }
  const [a, b] = insts;
  const env = { ...process.env, STNOUPGRADE: '1', STNORESTART: '1', STNODEFAULTFOLDER: '1' };
  const stop = async () => {
    for (const i of insts) {
      if (i.proc && i.proc.exitCode === null) {
        const exited = new Promise((r) => i.proc!.once('exit', r));
        i.proc.kill('SIGTERM');
        const t = setTimeout(() => i.proc!.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    }
  };
  try {
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await writeFile(join(me.home, 'config.xml'), configXml(me, other));
      me.proc = spawn(
        bin,
        ['serve', `--home=${me.home}`, '--no-browser', '--no-restart', '--no-upgrade', '--logfile=-'],
        { env, stdio: 'ignore' },
      );
    }
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await until(
        async () =>
          ((await api(me, '/rest/system/connections')) as { connections: Record<string, { connected: boolean }> })
            .connections[other.id]?.connected,
        60_000,
        `connection ${me.name}->${other.name}`,
        100,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  let run = 0;
  return {
    stop,
    async run(source: string): Promise<number> {
      for (const i of insts)
        await until(
          async () => ((await api(i, `/rest/db/status?folder=${FOLDER}`)) as { state: string }).state === 'idle',
          60_000,
          `idle folder on ${i.name}`,
        );
      const name = `big-${run++}.bin`;
      const staged = join(work, `staged-${name}`);
      await link(source, staged);
      const { size } = await stat(source);
      const target = join(b.folder, name);
      const t0 = performance.now();
      await rename(staged, join(a.folder, name)); // the file appears in A's folder whole, as after a copy
      await api(a, `/rest/db/scan?folder=${FOLDER}`, 'POST'); // what its watcher would ask for (after a delay)
      await until(async () => (await stat(target)).size === size, 300_000, `${name} on B`, 5);
      const ms = performance.now() - t0;
      if ((await sha256(target)) !== (await sha256(source))) throw new Error('syncthing delivered different bytes');
      // Deletes propagate: remove it on A and wait until B's copy is gone before the next run.
      await rm(join(a.folder, name), { force: true });
      await api(a, `/rest/db/scan?folder=${FOLDER}`, 'POST');
      await until(() => Promise.resolve(!existsSync(target)), 60_000, `${name} removed on B`);
      return ms;
    },
    /** The same for a folder of files (it appears in A's folder at once; done when B has every file whole). */
    async runFolder(folder: string): Promise<number> {
      for (const i of insts)
        await until(
          async () => ((await api(i, `/rest/db/status?folder=${FOLDER}`)) as { state: string }).state === 'idle',
          60_000,
          `idle folder on ${i.name}`,
        );
      const name = `dir-${run++}`;
      const staged = join(work, `staged-${name}`);
      await mkdir(staged);
      const files = await readdir(folder);
      const sizes = new Map<string, number>();
      for (const f of files) {
        await link(join(folder, f), join(staged, f));
        sizes.set(f, (await stat(join(folder, f))).size);
      }
      const target = join(b.folder, name);
      const t0 = performance.now();
      await rename(staged, join(a.folder, name));
      await api(a, `/rest/db/scan?folder=${FOLDER}`, 'POST');
      // B writes each file under a temp name and renames it when whole: count the final names.
      await until(
        async () => {
          const have = (await readdir(target)).filter((f) => sizes.has(f));
          if (have.length < files.length) return false;
          for (const f of have) if ((await stat(join(target, f))).size !== sizes.get(f)) return false;
          return true;
        },
        300_000,
        `${name} on B`,
        20,
      );
      const ms = performance.now() - t0;
      await rm(join(a.folder, name), { recursive: true, force: true });
      await api(a, `/rest/db/scan?folder=${FOLDER}`, 'POST');
      await until(() => Promise.resolve(!existsSync(target)), 60_000, `${name} removed on B`);
      return ms;
    },
  };
}
