/** Per-node resource figures for the street simulator: CPU and RSS from /proc, bytes sent from the bridge's port counters. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Resident set size in KiB. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Bytes each node has sent: the bridge side of its veth (`p<i>`) receives exactly what the node
 * transmits. One `ip -s -j link` call for the whole street.
 */
export function bytesSentByPort(bridgeNs: string): Map<string, number> {
  const out = new Map<string, number>();
  const links = JSON.parse(
    execFileSync('ip', ['-n', bridgeNs, '-s', '-j', 'link', 'show'], { encoding: 'utf8' }),
  ) as Array<{ ifname: string; stats64?: { rx: { bytes: number } } }>;
  for (const l of links) if (l.stats64) out.set(l.ifname.replace(/@.*/, ''), l.stats64.rx.bytes);
  return out;
}

/** The 1-minute load average and the number of cores, for every figure. */
export function loadNow(): string {
  const [one, five] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return `load ${one} (5 min ${five})`;
}

/** What the street's idle bytes are made of, counted once per frame as it enters the bridge. */
const TRAFFIC_CLASSES: ReadonlyArray<readonly [string, string]> = [
  ['mdns', 'udp dport 5353'],
  ['udp announce', 'udp dport 42424'],
  ['new TCP connections (SYN)', 'tcp dport PEER tcp flags & (syn | ack) == syn'],
  ['TCP to peer port (requests)', 'tcp dport PEER'],
  ['TCP from peer port (answers)', 'tcp sport PEER'],
  ['all', ''],
];

/**
 * nftables counters in the bridge namespace (family bridge, prerouting: every frame once, on the
 * port it came in by), so an idle figure can be split into discovery, new connections and
 * request/answer bytes. Summed over the whole street; divide by N for a node's share.
 */
export class TrafficClasses {
  constructor(
    private readonly bridgeNs: string,
    peerPort: number,
  ) {
    const rules = TRAFFIC_CLASSES.map(
      ([name, match]) => `    ${match.replaceAll('PEER', String(peerPort))} counter comment "${name}"`,
    );
    const table = [
      'table bridge street_acct {',
      '  chain pre {',
      '    type filter hook prerouting priority 0; policy accept;',
      ...rules,
      '  }',
      '}',
    ].join('\n');
    execFileSync('ip', ['netns', 'exec', bridgeNs, 'nft', '-f', '-'], { input: `${table}\n` });
  }

  /** Packets and bytes per class so far. */
  read(): Map<string, { packets: number; bytes: number }> {
    const out = new Map<string, { packets: number; bytes: number }>();
    const json = JSON.parse(
      execFileSync('ip', ['netns', 'exec', this.bridgeNs, 'nft', '-j', 'list', 'table', 'bridge', 'street_acct'], {
        encoding: 'utf8',
      }),
    ) as {
      nftables: Array<{ rule?: { comment?: string; expr: Array<{ counter?: { packets: number; bytes: number } }> } }>;
    };
    for (const item of json.nftables) {
      const counter = item.rule?.expr.find((e) => e.counter)?.counter;
      if (item.rule?.comment && counter) out.set(item.rule.comment, counter);
    }
    return out;
  }
}
