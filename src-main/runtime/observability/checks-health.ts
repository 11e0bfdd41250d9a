/** Standard doctor checks about the running system: clock sanity and recent error rate. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths } from '../config';
import type { Check } from './doctor';
import { logFileName, utcDate } from './log-file-sink';

/** Earliest plausible year: a clock before this was reset (dead CMOS battery, fresh board). */
export const CLOCK_MIN_YEAR = 2024;
/** Largest tolerated difference between our clock and the neighbours'. */
export const CLOCK_MAX_SKEW_MS = 5 * 60_000;
/** recent_error_rate fails above this share of error lines in the last hour. */
export const ERROR_RATE_THRESHOLD = 0.05;
const HOUR_MS = 3_600_000;

const CLOCK_FIX =
  'Set the computer\'s date and time correctly (turn on "set time automatically" in the system settings).';

export const clockSanity: Check = (ctx) => {
  const now = (ctx.now ?? Date.now)();
  const year = new Date(now).getUTCFullYear();
  if (year < CLOCK_MIN_YEAR)
    return { ok: false, detail: `the system clock says ${new Date(now).toISOString()}`, fix: CLOCK_FIX };
  const peers = ctx.peerClocks?.() ?? [];
  if (peers.length === 0)
    return { ok: true, detail: `clock reads ${new Date(now).toISOString()}; no neighbour clocks to compare` };
  // The median decides: one neighbour with a wrong clock must not fail our check.
  const skews = peers.map((p) => p.skew_ms).sort((a, b) => a - b);
  const median = skews[Math.floor(skews.length / 2)];
  const off = peers.filter((p) => Math.abs(p.skew_ms) >= CLOCK_MAX_SKEW_MS).map((p) => p.node_id);
  const minutes = (Math.abs(median) / 60_000).toFixed(1);
  if (Math.abs(median) >= CLOCK_MAX_SKEW_MS) {
    return {
      ok: false,
      detail: `this clock is ${minutes} min ${median > 0 ? 'behind' : 'ahead of'} the neighbours (${peers.length} compared)`,
      fix: CLOCK_FIX,
    };
  }
  const note = off.length > 0 ? `; neighbours with a wrong clock: ${off.join(', ')}` : '';
  return { ok: true, detail: `within ${minutes} min of ${peers.length} neighbour(s)${note}` };
};

export const recentErrorRate: Check = (ctx) => {
  const now = (ctx.now ?? Date.now)();
  const dir = resolvePaths(ctx.config, { env: ctx.env }).observability.log_dir;
  const since = now - HOUR_MS;
  const files = [...new Set([utcDate(since), utcDate(now)])].map((d) => join(dir, logFileName(d)));
  let total = 0;
  let errors = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no log that day yet
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      let rec: { ts?: unknown; level?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue;
      }
      const t = typeof rec.ts === 'string' ? Date.parse(rec.ts) : NaN;
      if (!(t >= since && t <= now)) continue;
      total++;
      if (rec.level === 'error') errors++;
    }
  }
  if (total === 0) return { ok: true, detail: 'no log lines in the last hour' };
  const rate = errors / total;
  const detail = `${errors} of ${total} log lines in the last hour are errors (${(rate * 100).toFixed(1)}%)`;
  return rate > ERROR_RATE_THRESHOLD
    ? {
        ok: false,
        detail,
        fix: 'Run `hearthnet log --level error` to see what goes wrong, or send the log folder to whoever helps you with HearthNet.',
      }
    : { ok: true, detail };
};
