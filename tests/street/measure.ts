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
