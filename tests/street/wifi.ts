/**
 * Home Wi-Fi conditions on one namespace's link, with what this kernel has (no netem):
 * `tc tbf` limits the rate, an nftables `numgen random` rule drops a share of incoming packets,
 * and a userspace relay (delay-relay.mjs) in front of the peer port adds delay and jitter: an
 * nftables `redirect` sends peers' connections to the relay, which forwards to the node.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnInNs, type NetnsNode } from '../netns/netns';

export interface WifiConditions {
  /** Link rate, e.g. '54mbit'. */
  readonly rate: string;
  /** Percent of incoming packets dropped (0-100). */
  readonly lossPct: number;
  readonly delayMs: number;
  readonly jitterMs: number;
}

export const HOME_WIFI: WifiConditions = { rate: '54mbit', lossPct: 2, delayMs: 20, jitterMs: 10 };
export const RELAY_PORT = 7090;

/** Null when nftables is usable, else why not (the loss and delay parts need it). */
export function nftUnavailableReason(): string | null {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'nftables (`nft`) is not installed: apt-get install nftables';
  }
}

function inNs(ns: string, cmd: string, args: readonly string[], input?: string): void {
  execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], {
    input,
    stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'],
  });
}

/** Apply `c` to node `n` whose peer port is `peerPort`; returns the relay process (or null without delay). */
export function applyWifi(n: NetnsNode, c: WifiConditions, peerPort: number): ChildProcess | null {
  inNs(n.ns, 'tc', [
    'qdisc',
    'replace',
    'dev',
    n.iface,
    'root',
    'tbf',
    'rate',
    c.rate,
    'burst',
    '32kbit',
    'latency',
    '100ms',
  ]);
  const rules: string[] = ['table inet street {'];
  if (c.lossPct > 0)
    rules.push(
      `  chain in { type filter hook input priority 0; policy accept; iifname "${n.iface}" numgen random mod 100 < ${c.lossPct} drop; }`,
    );
  if (c.delayMs > 0)
    rules.push(
      `  chain pre { type nat hook prerouting priority -100; policy accept; iifname "${n.iface}" tcp dport ${peerPort} redirect to :${RELAY_PORT}; }`,
    );
  rules.push('}');
  if (c.lossPct > 0 || c.delayMs > 0) inNs(n.ns, 'nft', ['-f', '-'], rules.join('\n') + '\n');
  if (c.delayMs <= 0) return null;
  return spawnInNs(n.ns, process.execPath, [
    '--max-old-space-size=32',
    fileURLToPath(new URL('./delay-relay.mjs', import.meta.url)),
    String(RELAY_PORT),
    n.address,
    String(peerPort),
    String(c.delayMs),
    String(c.jitterMs),
  ]);
}
