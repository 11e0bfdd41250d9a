/** Wall-clock times on the wire: `YYYY-MM-DDTHH:MM:SSZ` strings (reference §0.2), read and built. */
import { toWallClock, type WallClock } from '../../common';

const WALL_CLOCK_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** True when `v` is a `YYYY-MM-DDTHH:MM:SSZ` string naming a real instant. */
export function isWallClock(v: unknown): v is WallClock {
  return typeof v === 'string' && WALL_CLOCK_RE.test(v) && !Number.isNaN(Date.parse(v));
}

/** Milliseconds since the epoch of a WallClock (NaN when it is not one). */
export function wallClockMs(v: string): number {
  return isWallClock(v) ? Date.parse(v) : Number.NaN;
}

/** `now + seconds` as a WallClock. */
export function wallClockAfter(now: Date, seconds: number): WallClock {
  return toWallClock(new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000));
}
