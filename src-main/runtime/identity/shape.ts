/** Strict shape checks for signed wire objects: each failure names the offending field. */
import { isOneOf, toWallClock, type WallClock } from '../../common';
import { isFullNodeId } from './node-id';

/** Called with a dotted field path (`hardware.ram_gb`) and what is wrong; must throw. */
export type ShapeFail = (field: string, problem: string) => never;

const WALL_CLOCK_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const VERSION_RE = /^\d+\.\d+$/;
export { MAX_NAME_LENGTH } from './wire-schemas';

/** True when `v` is a `YYYY-MM-DDTHH:MM:SSZ` string naming a real instant. */
export function isWallClock(v: unknown): v is WallClock {
  return typeof v === 'string' && WALL_CLOCK_RE.test(v) && !Number.isNaN(Date.parse(v));
}

/** Milliseconds since the epoch of a WallClock (NaN when it is not one). */
export function wallClockMs(v: string): number {
  return isWallClock(v) ? Date.parse(v) : Number.NaN;
}

/**
 * Reads one object field by field. Every getter either returns a value of the promised type or
 * calls `fail` (which throws the caller's domain error).
 */
export class ShapeReader {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly fail: ShapeFail,
    private readonly prefix = '',
  ) {}

  /** Checks `v` is a plain object, then returns a reader for it. */
  static of(v: unknown, fail: ShapeFail, prefix = ''): ShapeReader {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(prefix || '$', 'must be a JSON object');
    return new ShapeReader(v as Record<string, unknown>, fail, prefix);
  }

  private path(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  /** Refuse any field not in `allowed`: a signed object must hold exactly what we understand. */
  onlyKeys(allowed: readonly string[]): void {
    for (const k of Object.keys(this.obj)) if (!allowed.includes(k)) this.fail(this.path(k), 'is not a known field');
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  string(key: string, opts: { min?: number; max?: number } = {}): string {
    const v = this.obj[key];
    if (typeof v !== 'string') return this.fail(this.path(key), 'must be a string');
    if (v.length < (opts.min ?? 0)) this.fail(this.path(key), `must have at least ${opts.min} characters`);
    if (opts.max !== undefined && v.length > opts.max)
      this.fail(this.path(key), `must have at most ${opts.max} characters`);
    return v;
  }

  nullableString(key: string): string | null {
    return this.obj[key] === null ? null : this.string(key);
  }

  int(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.fail(this.path(key), 'must be an integer');
    if (v < min || v > max) this.fail(this.path(key), `must be between ${min} and ${max}`);
    return v;
  }

  number(key: string, min = 0): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(this.path(key), 'must be a finite number');
    if (v < min) this.fail(this.path(key), `must be at least ${min}`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (typeof v !== 'boolean') return this.fail(this.path(key), 'must be true or false');
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.obj[key];
    if (!isOneOf(values, v)) return this.fail(this.path(key), `must be one of ${values.join(', ')}`);
    return v;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the brand (NodeId or CommunityId)
  nodeId<T extends string>(key: string): T {
    const v = this.obj[key];
    if (!isFullNodeId(v)) return this.fail(this.path(key), 'must be a full node id (ed25519:<base64url public key>)');
    return v as unknown as T;
  }

  wallClock(key: string): WallClock {
    const v = this.obj[key];
    if (!isWallClock(v)) return this.fail(this.path(key), 'must be a UTC time like 2026-05-26T08:14:22Z');
    return v;
  }

  version(key: string): string {
    const v = this.string(key);
    if (!VERSION_RE.test(v)) this.fail(this.path(key), 'must look like MAJOR.MINOR');
    return v;
  }

  signature(key = 'signature'): string {
    const v = this.string(key);
    if (!v.startsWith('ed25519:')) this.fail(this.path(key), 'must be an ed25519:<base64url> signature');
    return v;
  }

  object(key: string): ShapeReader {
    return ShapeReader.of(this.obj[key], this.fail, this.path(key));
  }

  /** A plain JSON object copied as is (free-form fields such as `load` and `params`). */
  record(key: string): Record<string, unknown> {
    ShapeReader.of(this.obj[key], this.fail, this.path(key));
    return { ...(this.obj[key] as Record<string, unknown>) };
  }

  array<T>(key: string, item: (v: unknown, path: string) => T, opts: { max?: number } = {}): T[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) return this.fail(this.path(key), 'must be a list');
    if (opts.max !== undefined && v.length > opts.max)
      this.fail(this.path(key), `must have at most ${opts.max} entries`);
    return v.map((x, i) => item(x, `${this.path(key)}[${i}]`));
  }
}

/** `now + seconds` as a WallClock. */
export function wallClockAfter(now: Date, seconds: number): WallClock {
  return toWallClock(new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000));
}

/** JSON bytes or text parsed to a value; objects pass through. Not-JSON is reported as field `$`. */
export function jsonInput(blob: Uint8Array | string | object, fail: ShapeFail): unknown {
  if (typeof blob !== 'string' && !(blob instanceof Uint8Array)) return blob;
  try {
    const text = typeof blob === 'string' ? blob : new TextDecoder('utf-8', { fatal: true }).decode(blob);
    return JSON.parse(text);
  } catch (err) {
    return fail('$', `is not valid UTF-8 JSON (${(err as Error).message})`);
  }
}
