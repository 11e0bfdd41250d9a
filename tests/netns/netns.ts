/**
 * Network-namespace test topology: one bridge namespace and N node namespaces on 10.231.0.0/24,
 * so real multicast (mDNS, UDP) flows between "hosts" that exist only inside this test.
 * Linux + root + iproute2 only; `netnsUnavailableReason()` says why not elsewhere.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';

/** Every namespace we create starts with this, then `<pid>-`; stale ones are found by dead pids. */
export const NETNS_PREFIX = 'hn-';
export const NETNS_SUBNET = '10.231.0';

export interface NetnsNode {
  /** Short name given by the test (`a`, `b`, ...). */
  readonly name: string;
  /** Namespace name (`hn-<pid>-a`). */
  readonly ns: string;
  /** IPv4 address inside the namespace (`10.231.0.1`, ...). */
  readonly address: string;
  /** Interface name inside the namespace. */
  readonly iface: string;
}

export interface NetnsTopology {
  readonly bridgeNs: string;
  readonly nodes: readonly NetnsNode[];
  node(name: string): NetnsNode;
  /** Delete every namespace of this topology (also removes their veths and the bridge). Idempotent. */
  destroy(): void;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Null when namespaces can be used here, else a sentence saying why not. */
export function netnsUnavailableReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root';
  try {
    ip(['-V']);
  } catch {
    return 'the `ip` command (iproute2) is not installed';
  }
  const probe = `${NETNS_PREFIX}${process.pid}-probe`;
  try {
    ip(['netns', 'add', probe]);
    ip(['netns', 'del', probe]);
  } catch (err) {
    return `cannot create a network namespace: ${(err as Error).message.split('\n')[0]}`;
  }
  return null;
}

export function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Delete `hn-<pid>-*` namespaces left by test runs whose process is gone. Returns their names. */
export function cleanStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = /^hn-(\d+)-/.exec(ns);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      ip(['netns', 'del', ns]);
      removed.push(ns);
    } catch {
      // Already gone (another cleaner raced us): nothing left to do.
    }
  }
  return removed;
}

const NEIGH_SYSCTL = ['ipv4', 'ipv6'].map((v) => `/proc/sys/net/${v}/neigh/default/gc_thresh`);

/**
 * The kernel keeps ONE neighbour (ARP/NDP) table for all namespaces, capped by the host's
 * `gc_thresh3` (1024 by default). A street of N households that all talk to each other needs ~N²
 * entries: at N = 50 (2 450) the table overflowed ("arp_cache: neighbor table overflow!" in dmesg)
 * and new connections failed with timeouts and EHOSTUNREACH. Real households are separate
 * machines with ~N entries each, so this is an artefact of simulating them in one kernel: raise the
 * caps while the topology lives and put them back after. Returns the undo (a no-op when nothing changed).
 */
function roomForNeighbours(nodes: number): () => void {
  const need = 2 * (nodes + 2) ** 2;
  const undo: Array<() => void> = [];
  for (const base of NEIGH_SYSCTL) {
    try {
      const old = [1, 2, 3].map((k) => Number(readFileSync(`${base}${k}`, 'utf8').trim()));
      if (old[2] >= need) continue;
      const want = [Math.max(old[0], need / 4), Math.max(old[1], need / 2), need].map(Math.ceil);
      // Raise thresh3 first and lower it last, so thresh1 <= thresh2 <= thresh3 holds at every step.
      for (const k of [3, 2, 1]) writeFileSync(`${base}${k}`, String(want[k - 1]));
      undo.push(() => {
        for (const k of [1, 2, 3]) writeFileSync(`${base}${k}`, String(old[k - 1]));
      });
    } catch {
      // Not writable (no root, read-only /proc/sys): small streets fit the default anyway.
    }
  }
  return () => {
    for (const u of undo.splice(0)) {
      try {
        u();
      } catch {
        // Best effort: a higher cap left behind harms nothing.
      }
    }
  };
}

/**
 * Build the topology: namespace `hn-<pid>-br` with bridge `br0` (multicast snooping off, so groups
 * are flooded like on a dumb home switch), and per node a namespace with `lo` up, a veth `eth0`
 * into the bridge, address 10.231.0.<i+1>/24 and a multicast route 224.0.0.0/4 via eth0.
 * Everything lives in namespaces we create: nothing touches the host's own interfaces.
 */
export function createTopology(names: readonly string[], opts: { tag?: string } = {}): NetnsTopology {
  const tag = `${NETNS_PREFIX}${process.pid}${opts.tag ? `-${opts.tag}` : ''}`;
  const bridgeNs = `${tag}-br`;
  const nodes: NetnsNode[] = names.map((name, i) => ({
    name,
    ns: `${tag}-${name}`,
    address: `${NETNS_SUBNET}.${i + 1}`,
    iface: 'eth0',
  }));
  const created: string[] = [];
  const restoreNeighbourCaps = roomForNeighbours(nodes.length);
  const topo: NetnsTopology = {
    bridgeNs,
    nodes,
    node(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name} in topology`);
      return n;
    },
    destroy() {
      for (const ns of [...created].reverse()) {
        try {
          ip(['netns', 'del', ns]);
        } catch {
          // Best effort: a namespace that is already gone needs nothing more.
        }
      }
      created.length = 0;
      restoreNeighbourCaps();
    },
  };
  try {
    ip(['netns', 'add', bridgeNs]);
    created.push(bridgeNs);
    ip(['-n', bridgeNs, 'link', 'set', 'lo', 'up']);
    ip(['-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    ip(['-n', bridgeNs, 'link', 'set', 'br0', 'up']);
    nodes.forEach((n, i) => {
      ip(['netns', 'add', n.ns]);
      created.push(n.ns);
      const port = `p${i}`;
      ip(['-n', bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', n.iface, 'netns', n.ns]);
      ip(['-n', bridgeNs, 'link', 'set', port, 'master', 'br0']);
      ip(['-n', bridgeNs, 'link', 'set', port, 'up']);
      ip(['-n', n.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', n.ns, 'addr', 'add', `${n.address}/24`, 'dev', n.iface]);
      ip(['-n', n.ns, 'link', 'set', n.iface, 'up']);
      ip(['-n', n.ns, 'route', 'add', '224.0.0.0/4', 'dev', n.iface]);
    });
  } catch (err) {
    topo.destroy();
    throw err;
  }
  return topo;
}

/** Run a command inside a namespace and return its stdout (throws on non-zero exit). */
export function execInNs(ns: string, cmd: string, args: readonly string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Start a long-running process inside a namespace. */
export function spawnInNs(ns: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** Call `onLine` with each JSON object a child prints on stdout (non-JSON lines go to `onOther`). */
export function readJsonLines(
  child: ChildProcess,
  onLine: (obj: Record<string, unknown>) => void,
  onOther?: (line: string) => void,
): void {
  if (!child.stdout) return;
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      onLine(JSON.parse(line) as Record<string, unknown>);
    } catch {
      onOther?.(line);
    }
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function killChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
