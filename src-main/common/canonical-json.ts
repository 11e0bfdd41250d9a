/**
 * canonicalJson: the one encoder behind every signature and hash.
 * Sorted keys (by Unicode code point), no whitespace, UTF-8, numbers in their shortest
 * round-trip form (ECMAScript Number::toString; integers without a fraction), -0 as 0.
 * Rejects NaN, ±Infinity, undefined, functions, symbols, bigints and cycles: a value that
 * cannot be encoded one way only must never be signed.
 */

export class CanonicalJsonError extends TypeError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || '$'}`);
    this.name = 'CanonicalJsonError';
  }
}

function compareCodePoints(a: string, b: string): number {
  // JS string comparison is by UTF-16 code unit; code point order differs only around surrogates.
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    // An iterated string is one whole code point, never empty: `?? 0` is unreachable.
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
}

function needsSlowSort(keys: string[]): boolean {
  for (const k of keys) for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) >= 0xd800) return true;
  return false;
}

/**
 * Where the encoder is: the keys and indexes from the root, kept as a stack and turned into a
 * `$.a[2].b` path only for an error (building path strings for every value cost more than the
 * encoding itself on small objects).
 */
type Trail = (string | number)[];

function pathOf(trail: Trail): string {
  let path = '';
  for (const k of trail) path += typeof k === 'number' ? `[${k}]` : `.${k}`;
  return path;
}

function encode(value: unknown, trail: Trail, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`non-finite number ${value}`, pathOf(trail));
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (value === null) return 'null';
      if (seen.has(value)) throw new CanonicalJsonError('cycle', pathOf(trail));
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = '[';
        for (let i = 0; i < value.length; i++) {
          trail.push(i);
          const item: unknown = value[i];
          if (item === undefined) throw new CanonicalJsonError('undefined', pathOf(trail));
          out += (i ? ',' : '') + encode(item, trail, seen);
          trail.pop();
        }
        out += ']';
      } else if (value instanceof Uint8Array || value instanceof Date || value instanceof Map || value instanceof Set) {
        throw new CanonicalJsonError(`unsupported ${value.constructor.name}`, pathOf(trail));
      } else {
        const obj = value as Record<string, unknown>;
        const keys = Object.keys(obj);
        keys.sort(needsSlowSort(keys) ? compareCodePoints : undefined);
        out = '{';
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const v = obj[k];
          trail.push(k);
          if (v === undefined) throw new CanonicalJsonError('undefined', pathOf(trail));
          out += (i ? ',' : '') + JSON.stringify(k) + ':' + encode(v, trail, seen);
          trail.pop();
        }
        out += '}';
      }
      seen.delete(value);
      return out;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new CanonicalJsonError(`unsupported ${typeof value}`, pathOf(trail));
  }
}

/** The canonical text of `value`. */
export function canonicalJson(value: unknown): string {
  return encode(value, [], new Set());
}

const utf8 = new TextEncoder();

/** The canonical UTF-8 bytes of `value`: what gets signed and hashed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(value));
}
