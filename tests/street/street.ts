/**
 * The street simulator: `npm run street -- --nodes N [--wifi] [--idle-s S] [--cut-s S] [--events K]`.
 * N full `hearthnet run` processes, each in its own network namespace on one bridge; households
 * join by invite, meet by mDNS and UDP, post, chat, fetch a file from several holders and ask the
 * street's model; then the figures: time until every node sees every other, how fast an event
 * reaches all, idle CPU / RSS / bytes per node, and the same after a third is cut off and rejoined.
 * Root + iproute2 only (nftables too for --wifi); prints why and exits 0 elsewhere.
 * Last line: `street: <N> nodes, meet <s> s, reach-all p99 <ms> ms, idle cpu <pct>% per node, idle <KB> KB/min per node, heal <s> s`.
 */
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from '../../tools/bundle-node';
import {
  cleanStaleNamespaces,
  createTopology,
  killChild,
  netnsUnavailableReason,
  spawnInNs,
  type NetnsTopology,
} from '../netns/netns';
import { createHomes, PEER_PORT, type Home } from './homes';
import { bytesSentByPort, cpuSeconds, loadNow, rssKiB, TrafficClasses } from './measure';
import { quantile, StreetObserver } from './observe';
import { applyWifi, HOME_WIFI, nftUnavailableReason } from './wifi';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/hearthnet');
const CLI_BUNDLE = join(ROOT, 'out/cli/hearthnet.mjs');
/** bin/hearthnet then runs the bundle whatever the sources' mtimes say. */
const CLI_ENV = { HEARTHNET_CLI_BUNDLE: '1' };
const MODEL = join(ROOT, '../shared/models/stories260K/stories260K.gguf');
/** Redeems per household before the run gives up (each waits longer after a timeout). */
const REDEEM_ATTEMPTS = 6;
/** V8 heap cap per node: 50 nodes at their worst stay far inside 24 GiB. */
const NODE_HEAP_MB = 192;

interface Args {
  nodes: number;
  wifi: boolean;
  idleS: number;
  cutS: number;
  events: number;
  /** Only join, meet, reach-all and idle (no chat/file/model, no cut): for looking into idle cost. */
  quick: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { nodes: 10, wifi: false, idleS: 60, cutS: 30, events: 20, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const v = () => Number(argv[++i]);
    if (argv[i] === '--nodes') a.nodes = v();
    else if (argv[i] === '--wifi') a.wifi = true;
    else if (argv[i] === '--idle-s') a.idleS = v();
    else if (argv[i] === '--cut-s') a.cutS = v();
    else if (argv[i] === '--events') a.events = v();
    else if (argv[i] === '--quick') a.quick = true;
    else throw new Error(`unknown option ${argv[i]} (--nodes N --wifi --idle-s S --cut-s S --events K --quick)`);
  }
  if (!Number.isInteger(a.nodes) || a.nodes < 5 || a.nodes > 200) throw new Error('--nodes must be 5..200');
  return a;
}

const say = (s: string) => process.stdout.write(`${s}\n`);
const secs = (ms: number) => (ms / 1000).toFixed(1);

class Street {
  readonly obs: StreetObserver;
  private procs: Array<ChildProcess | null> = [];
  private relays: ChildProcess[] = [];
  private traffic: TrafficClasses | null = null;

  constructor(
    readonly topo: NetnsTopology,
    readonly homes: Home[],
    readonly args: Args,
  ) {
    this.obs = new StreetObserver(homes.length);
  }

  get pids(): number[] {
    return this.procs.map((p) => p?.pid ?? -1);
  }

  /** Start node i; resolves when it prints that it runs. */
  start(i: number): Promise<void> {
    const h = this.homes[i];
    const child = spawnInNs(
      h.net.ns,
      process.execPath,
      [`--max-old-space-size=${NODE_HEAP_MB}`, BIN, 'run', '--no-ui', '--debug'],
      {
        cwd: ROOT,
        env: { ...process.env, ...CLI_ENV, HEARTHNET_HOME: h.dir, UV_THREADPOOL_SIZE: '2' },
      },
    );
    this.procs[i] = child;
    // STREET_LOG_DIR=<dir> keeps every node's log (node-<i>.log) for looking into a failed run.
    const logDir = process.env.STREET_LOG_DIR;
    if (logDir) child.stderr!.pipe(createWriteStream(join(logDir, `node-${i + 1}.log`), { flags: 'a' }));
    this.obs.follow(i, child.stderr!, (line) => {
      if (/"level":"error"|Error/.test(line)) process.stderr.write(`[node ${i + 1}] ${line.slice(0, 300)}\n`);
    });
    return new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`node ${i + 1} did not start within 300 s`)), 300_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('running')) {
          clearTimeout(t);
          ok();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        fail(new Error(`node ${i + 1} exited (${code}) while starting`));
      });
    });
  }

  async startAll(concurrency = 4): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < this.homes.length) await this.start(next++);
      }),
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.flatMap((p) => (p ? [killChild(p, 10_000)] : [])));
    this.procs = [];
  }

  /** Run a `hearthnet` command as household i; resolves with stdout. */
  cli(i: number, args: string[], timeoutMs = 120_000): Promise<string> {
    const h = this.homes[i];
    return new Promise((ok, fail) => {
      execFile(
        'ip',
        ['netns', 'exec', h.net.ns, process.execPath, BIN, ...args],
        {
          cwd: ROOT,
          env: { ...process.env, ...CLI_ENV, HEARTHNET_HOME: h.dir },
          timeout: timeoutMs,
          maxBuffer: 4 << 20,
        },
        (err, stdout, stderr) =>
          err
            ? fail(
                new Error(
                  `house ${i + 1}: hearthnet ${args[0]} ${args[1] ?? ''} failed: ${stderr.trim().slice(-400) || err.message}`,
                ),
              )
            : ok(stdout),
      );
    });
  }

  wifi(): void {
    for (const h of this.homes) {
      const relay = applyWifi(h.net, HOME_WIFI, PEER_PORT);
      if (relay) this.relays.push(relay);
    }
  }

  everyoneSeesEveryone(among: readonly number[] = this.homes.map((_, i) => i)): boolean {
    const ids = among.map((i) => this.homes[i].kp.nodeIdFull);
    return among.every((i) => ids.every((id) => id === this.homes[i].kp.nodeIdFull || this.obs.views[i].peers.has(id)));
  }

  /** Link of node i up or down at the bridge (the household's Wi-Fi drops out). */
  link(i: number, up: boolean): void {
    execFileSync('ip', ['-n', this.topo.bridgeNs, 'link', 'set', `p${i}`, up ? 'up' : 'down']);
  }

  /** Idle figures over `seconds`: per-node CPU %, RSS MiB, KB sent per minute, and what those bytes are. */
  async idle(seconds: number): Promise<IdleFigures> {
    const pids = this.pids;
    this.traffic ??= new TrafficClasses(this.topo.bridgeNs, PEER_PORT);
    const cpu0 = pids.map(cpuSeconds);
    const b0 = bytesSentByPort(this.topo.bridgeNs);
    const c0 = this.traffic.read();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const dt = (performance.now() - t0) / 1000;
    const cpu1 = pids.map(cpuSeconds);
    const b1 = bytesSentByPort(this.topo.bridgeNs);
    const c1 = this.traffic.read();
    const perNodePerMin = (x: number) => (x / this.homes.length) * (60 / dt);
    return {
      cpuPct: pids.map((_, i) => (((cpu1[i] ?? 0) - (cpu0[i] ?? 0)) / dt) * 100),
      rssMiB: pids.map((p) => (rssKiB(p) ?? 0) / 1024),
      kbPerMin: this.homes.map((_, i) => (((b1.get(`p${i}`) ?? 0) - (b0.get(`p${i}`) ?? 0)) / 1024) * (60 / dt)),
      classes: [...c1].map(([name, c]) => ({
        name,
        packetsPerMin: perNodePerMin(c.packets - (c0.get(name)?.packets ?? 0)),
        kbPerMin: perNodePerMin(c.bytes - (c0.get(name)?.bytes ?? 0)) / 1024,
      })),
    };
  }

  async cleanup(): Promise<void> {
    await this.stopAll();
    await Promise.all(this.relays.map((r) => killChild(r, 2_000)));
  }
}

interface IdleFigures {
  cpuPct: number[];
  rssMiB: number[];
  kbPerMin: number[];
  /** Per node per minute, by kind of traffic (classes overlap; `all` is the total). */
  classes: Array<{ name: string; packetsPerMin: number; kbPerMin: number }>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const fmtClasses = (f: IdleFigures) =>
  f.classes.map((c) => `${c.name} ${c.kbPerMin.toFixed(1)} KB/min (${c.packetsPerMin.toFixed(1)} pkt/min)`).join(', ');
const fmtIdle = (f: IdleFigures) =>
  `cpu ${mean(f.cpuPct).toFixed(2)}% per node (max ${Math.max(...f.cpuPct).toFixed(2)}%), RSS ${mean(f.rssMiB).toFixed(0)} MiB per node (max ${Math.max(...f.rssMiB).toFixed(0)}), sent ${mean(f.kbPerMin).toFixed(1)} KB/min per node (max ${Math.max(...f.kbPerMin).toFixed(1)})`;

/** Post `count` notices from random households, one every `gapMs`; returns the spreads (ms) of those that reached `among`. */
async function reachAll(
  street: Street,
  count: number,
  among: readonly number[],
  label: string,
): Promise<{ spreads: number[]; missing: number }> {
  const before = new Set(street.obs.events.keys());
  const posted: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = among[Math.floor(Math.random() * among.length)];
    posted.push(i);
    await street.cli(i, [
      'market',
      'post',
      '--category',
      'offer',
      '--title',
      `${label} ${k} from house ${i + 1}`,
      '--json',
    ]);
  }
  const mine = () =>
    [...street.obs.events.values()].filter((e) => !before.has(e.eventId) && e.type === 'market.post.created');
  await street.obs
    .until(
      () => mine().length >= count && mine().every((e) => street.obs.spread(e.eventId, among) !== null),
      60_000,
      `${count} posts to reach every node`,
    )
    .catch((err: Error) => say(`  ! ${err.message}`));
  const spreads = mine()
    .map((e) => street.obs.spread(e.eventId, among))
    .filter((s): s is number => s !== null);
  return { spreads, missing: count - spreads.length };
}

/** Chat, a file fetched from several holders, a call to the street's model: pass/fail with times. */
async function lifeOnTheStreet(street: Street): Promise<void> {
  const homes = street.homes;
  const file = join(homes[1].dir, 'recipes.txt');
  writeFileSync(file, "Grandma's bread: flour, water, salt, time.\n".repeat(20_000));
  const extras: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    try {
      await fn();
      extras.push(`${what} ok (${secs(performance.now() - t0)} s)`);
    } catch (err) {
      extras.push(`${what} FAILED: ${(err as Error).message.slice(0, 200)}`);
    }
  };
  await attempt('chat', () => street.cli(2, ['chat', 'send', 'House 4', 'is the ladder still free?', '--json']));
  await attempt('file from 3 holders', async () => {
    const { cid } = JSON.parse(await street.cli(1, ['files', 'add', file, '--json'])) as { cid: string };
    for (const i of [2, 3]) {
      const copy = join(homes[i].dir, 'recipes.txt');
      writeFileSync(copy, "Grandma's bread: flour, water, salt, time.\n".repeat(20_000));
      await street.cli(i, ['files', 'add', copy, '--json']);
    }
    await street.cli(4 % homes.length, [
      'files',
      'get',
      cid,
      '-o',
      join(homes[4 % homes.length].dir, 'got.txt'),
      '--json',
    ]);
  });
  if (existsSync(MODEL)) {
    await attempt("ask the street's model", () =>
      street.cli(homes.length - 1, [
        'call',
        'llm.chat@1.0',
        JSON.stringify({
          model: 'stories260K',
          messages: [{ role: 'user', content: 'Once upon a time' }],
          max_tokens: 16,
        }),
        '--params',
        '{"model":"stories260K"}',
        '--timeout',
        '60',
      ]),
    );
  }
  say(`  ${extras.join('; ')}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const why = netnsUnavailableReason() ?? (args.wifi ? nftUnavailableReason() : null);
  if (why) {
    say(`street: skipped: ${why}`);
    return;
  }
  // Every node runs the CLI bundle as shipped, never the sources through tsx (slower, ~50 MB bigger):
  // built now from this tree, and forced for every process (CLI_ENV) even if a source changes mid-run.
  const built = performance.now();
  await bundleNode({ entry: { file: join(ROOT, 'src-main/runtime/cli/main.ts') }, outfile: CLI_BUNDLE });
  say(`street: CLI bundle built in ${secs(performance.now() - built)} s (out/cli/hearthnet.mjs)`);
  cleanStaleNamespaces();
  const names = Array.from({ length: args.nodes }, (_, i) => `n${i}`);
  const topo = createTopology(names, { tag: 'st' });
  const homes = createHomes(topo.nodes, { modelPath: existsSync(MODEL) ? MODEL : null });
  const street = new Street(topo, homes, args);
  const all = homes.map((_, i) => i);
  const stopping = async () => {
    await street.cleanup();
    topo.destroy();
    for (const h of homes) rmSync(h.dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopping().then(() => process.exit(130)));
  try {
    say(
      `street: ${args.nodes} nodes on one bridge${args.wifi ? `, home Wi-Fi (${HOME_WIFI.rate}, ${HOME_WIFI.lossPct}% loss, ${HOME_WIFI.delayMs}±${HOME_WIFI.jitterMs} ms)` : ', clean'}; ${loadNow()}`,
    );
    if (args.wifi) street.wifi();

    // 1. Households join by invite.
    let t = performance.now();
    await street.startAll();
    say(`  all nodes running in ${secs(performance.now() - t)} s; ${loadNow()}`);
    t = performance.now();
    let next = 1;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < homes.length) {
          const i = next++;
          // On a loaded machine a redeem can time out (at load ~60 the inviter did not answer within
          // 8 s three times in a row: the N=50 run of session 5 stopped there); it is safe to repeat
          // (the node says so if already joined), after a pause that lets the inviter catch up.
          for (let attempt = 1; ; attempt++) {
            try {
              await street.cli(i, ['invite', 'redeem', homes[i].invite!, '--json'], 180_000);
              break;
            } catch (err) {
              if (attempt < REDEEM_ATTEMPTS && street.obs.views[i].peers.size === 0) {
                await new Promise((r) => setTimeout(r, 5_000 * attempt));
                continue;
              }
              if (street.obs.views[i].peers.size > 0) break; // it joined; only the answer was lost
              throw err;
            }
          }
        }
      }),
    );
    say(`  ${homes.length - 1} households joined by invite in ${secs(performance.now() - t)} s`);
    await street.obs.until(() => street.everyoneSeesEveryone(), 180_000, 'every node to see every other after joining');

    // 2. The street powers on at once: meet by mDNS and UDP (and what each learnt before).
    await street.stopAll();
    for (const v of street.obs.views) v.peers.clear();
    t = performance.now();
    await street.startAll(8);
    const bootMs = performance.now() - t;
    t = performance.now();
    await street.obs.until(() => street.everyoneSeesEveryone(), 300_000, 'every node to see every other');
    const meetMs = performance.now() - t;
    say(
      `  meet: all ${all.length} restarted (8 at a time) were running after ${secs(bootMs)} s; every node saw every other ${secs(meetMs)} s later; ${loadNow()}`,
    );

    // 3. Life on the street: chat, a file from several holders, the street's model.
    if (!args.quick) await lifeOnTheStreet(street);

    // 4. How fast a post reaches everyone.
    const clean = await reachAll(street, args.events, all, 'notice');
    say(
      `  reach-all over ${clean.spreads.length} posts: p50 ${quantile(clean.spreads, 0.5).toFixed(0)} ms, p99 ${quantile(clean.spreads, 0.99).toFixed(0)} ms, max ${Math.max(...clean.spreads).toFixed(0)} ms${clean.missing ? `, ${clean.missing} never reached all` : ''}; ${loadNow()}`,
    );

    // 5. Idle (after the sync loops' active window has passed: a quiet street).
    await new Promise((r) => setTimeout(r, 15_000));
    const idle = await street.idle(args.idleS);
    say(`  idle ${args.idleS} s: ${fmtIdle(idle)}; ${loadNow()}`);
    say(`  idle traffic per node: ${fmtClasses(idle)}`);
    if (args.quick) {
      say(
        `street: ${args.nodes} nodes (quick), meet ${secs(meetMs)} s, reach-all p99 ${quantile(clean.spreads, 0.99).toFixed(0)} ms, idle cpu ${mean(idle.cpuPct).toFixed(2)}% per node, idle ${mean(idle.kbPerMin).toFixed(1)} KB/min per node`,
      );
      return;
    }

    // 6. A third of the street drops off, both sides post, it comes back.
    const cut = all.filter((i) => i % 3 === 2);
    const stay = all.filter((i) => i % 3 !== 2);
    for (const i of cut) street.link(i, false);
    const cutStart = performance.now();
    const beforeCut = new Set(street.obs.events.keys());
    await street.cli(stay[0], [
      'market',
      'post',
      '--category',
      'offer',
      '--title',
      'posted while they were away',
      '--json',
    ]);
    await street.cli(cut[0], [
      'market',
      'post',
      '--category',
      'request',
      '--title',
      'posted from the cut-off third',
      '--json',
    ]);
    await new Promise((r) => setTimeout(r, Math.max(0, args.cutS * 1000 - (performance.now() - cutStart))));
    for (const i of cut) street.link(i, true);
    const during = () => [...street.obs.events.keys()].filter((id) => !beforeCut.has(id));
    const healMs = await street.obs
      .until(
        () => during().length >= 2 && during().every((id) => street.obs.spread(id, all) !== null),
        120_000,
        'the street to converge after the cut',
      )
      .catch((err: Error) => {
        say(`  ! ${err.message}`);
        return NaN;
      });
    say(
      `  cut ${cut.length} of ${all.length} nodes off for ${args.cutS} s; every node held every event ${secs(healMs)} s after the links came back`,
    );
    await new Promise((r) => setTimeout(r, 15_000));
    const healed = await reachAll(street, Math.max(5, Math.floor(args.events / 2)), all, 'after the cut');
    await new Promise((r) => setTimeout(r, 15_000));
    const idle2 = await street.idle(args.idleS);
    say(
      `  after rejoining: reach-all p50 ${quantile(healed.spreads, 0.5).toFixed(0)} ms, p99 ${quantile(healed.spreads, 0.99).toFixed(0)} ms; idle ${fmtIdle(idle2)}; ${loadNow()}`,
    );
    const totalRss = idle2.rssMiB.reduce((a, b) => a + b, 0);
    say(`  total node RSS ${(totalRss / 1024).toFixed(2)} GiB for ${all.length} nodes`);
    say(
      `street: ${args.nodes} nodes, meet ${secs(meetMs)} s, reach-all p99 ${quantile(clean.spreads, 0.99).toFixed(0)} ms, idle cpu ${mean(idle.cpuPct).toFixed(2)}% per node, idle ${mean(idle.kbPerMin).toFixed(1)} KB/min per node, heal ${secs(healMs)} s`,
    );
  } finally {
    await stopping();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`street: failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
