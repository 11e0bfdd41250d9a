/**
 * Real multi-host discovery: four namespaces on one bridge; a, b, c share a community, d is in another.
 * With mDNS only, with UDP only, and with unicast only (manual address), a/b/c must find each
 * other within 20 s and never register d. Runs only as root with iproute2; skipped with a reason elsewhere.
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/runtime/identity';
import {
  cleanStaleNamespaces,
  createTopology,
  killChild,
  netnsUnavailableReason,
  readJsonLines,
  spawnInNs,
  type NetnsTopology,
} from './netns';

const reason = netnsUnavailableReason();
if (reason) console.log(`tests/netns/discovery.test.ts skipped: ${reason}`);
const itNs = reason ? it.skip : it;

const FIXTURE = resolve(__dirname, 'fixtures/discovery-node.ts');
const ROOT = resolve(__dirname, '../..');
const FIND_WITHIN_MS = 20_000;
const PORT = 8443;

interface Child {
  name: string;
  proc: ChildProcess;
  nodeIdFull: string | null;
  peers: Set<string>;
  everAdded: Set<string>;
  sources: Map<string, string>;
  foreign: number;
  stderr: string[];
}

const community = generateKeyPair().nodeIdFull;
const otherCommunity = generateKeyPair().nodeIdFull;
let topo: NetnsTopology | null = null;
let children: Child[] = [];

function start(
  name: string,
  args: { mdns: boolean; udp: boolean; iface?: boolean; community?: string; peer?: string },
): Child {
  const n = topo!.node(name);
  const argv = [
    '--import',
    'tsx',
    FIXTURE,
    '--host',
    n.address,
    '--port',
    String(PORT),
    '--community',
    args.community ?? community,
    '--mdns',
    args.mdns ? '1' : '0',
    '--udp',
    args.udp ? '1' : '0',
    '--name',
    name,
  ];
  if (args.iface) argv.push('--iface', n.address);
  if (args.peer) argv.push('--peer', args.peer);
  const proc = spawnInNs(n.ns, process.execPath, argv, { cwd: ROOT });
  const c: Child = {
    name,
    proc,
    nodeIdFull: null,
    peers: new Set(),
    everAdded: new Set(),
    sources: new Map(),
    foreign: 0,
    stderr: [],
  };
  readJsonLines(proc, (o) => {
    if (o.event === 'ready') c.nodeIdFull = String(o.node_id_full);
    if (o.event === 'added') {
      c.peers.add(String(o.node_id_full));
      c.everAdded.add(String(o.node_id_full));
      c.sources.set(String(o.node_id_full), String(o.source));
    }
    if (o.event === 'removed') c.peers.delete(String(o.node_id_full));
    if (o.event === 'status') c.foreign = Number((o.status as { foreign: number }).foreign);
  });
  proc.stderr?.on('data', (d: Buffer) => c.stderr.push(d.toString()));
  children.push(c);
  return c;
}

/** SIGTERM every child; each must stop cleanly (exit 0: sockets closed, goodbye sent) within the grace time. */
async function stopAll(): Promise<void> {
  const list = children;
  children = [];
  await Promise.all(list.map((c) => killChild(c.proc)));
  for (const c of list)
    expect(`${c.name}: exit ${c.proc.exitCode} ${c.proc.signalCode ?? ''}`.trim()).toBe(`${c.name}: exit 0`);
}

async function until(cond: () => boolean, ms: number, what: () => string): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

const describeState = () =>
  children
    .map(
      (c) =>
        `${c.name}: peers=${c.peers.size} foreign=${c.foreign} exit=${c.proc.exitCode} ${c.stderr.join('').slice(-300)}`,
    )
    .join(' | ');

/** Start a, b, c (+ d in another community) and wait until a, b, c each see the other two. */
async function runMesh(
  mode: { mdns: boolean; udp: boolean; iface?: boolean },
  expectForeign: boolean,
): Promise<number> {
  const [a, b, c] = ['a', 'b', 'c'].map((n) => start(n, mode));
  const d = start('d', { ...mode, community: otherCommunity });
  const members = [a, b, c];
  await until(() => children.every((x) => x.nodeIdFull !== null), FIND_WITHIN_MS, describeState);
  const ms = await until(
    () =>
      members.every((x) => members.every((y) => x === y || x.peers.has(y.nodeIdFull!))) &&
      (!expectForeign || members.every((x) => x.foreign > 0)),
    FIND_WITHIN_MS,
    describeState,
  );
  for (const x of members) {
    expect(x.peers.size).toBe(2);
    expect(x.everAdded.has(d.nodeIdFull!)).toBe(false);
  }
  expect(d.everAdded.size).toBe(0);
  return ms;
}

describe('discovery across network namespaces', () => {
  beforeAll(() => {
    if (reason) return;
    cleanStaleNamespaces();
    topo = createTopology(['a', 'b', 'c', 'd']);
  });

  afterAll(async () => {
    await stopAll();
    topo?.destroy();
    topo = null;
  });

  itNs('mDNS only: a, b and c find each other; d (other community) is ignored', { timeout: 60_000 }, async () => {
    try {
      const ms = await runMesh({ mdns: true, udp: false }, true);
      console.log(`mDNS mesh of 3 formed in ${ms} ms after all nodes were ready`);
      for (const c of children.slice(0, 3)) expect([...c.sources.values()].every((s) => s === 'mdns')).toBe(true);
    } finally {
      await stopAll();
    }
  });

  itNs('UDP only: a, b and c find each other; d (other community) is ignored', { timeout: 60_000 }, async () => {
    try {
      const ms = await runMesh({ mdns: false, udp: true, iface: true }, true);
      console.log(`UDP mesh of 3 formed in ${ms} ms after all nodes were ready`);
      for (const c of children.slice(0, 3)) expect([...c.sources.values()].every((s) => s === 'udp')).toBe(true);
    } finally {
      await stopAll();
    }
  });

  itNs('unicast only: with multicast off, a manually added address is found', { timeout: 60_000 }, async () => {
    try {
      const a = start('a', { mdns: false, udp: false });
      const b = start('b', { mdns: false, udp: false, peer: `${topo!.node('a').address}:${PORT}` });
      await until(() => a.nodeIdFull !== null && b.peers.has(a.nodeIdFull), FIND_WITHIN_MS, describeState);
      expect(b.sources.get(a.nodeIdFull!)).toBe('manual');
    } finally {
      await stopAll();
    }
  });
});
