/**
 * canonicalJson: the one encoder behind every signature and hash.
 * Sorted keys (by Unicode code point), no whitespace, UTF-8, numbers in their shortest
 * round-trip form (ECMAScript Number::toString; integers without a fraction), -0 as 0.
 * Rejects NaN, ±Infinity, undefined, functions, symbols, bigints and cycles: a value that
 * cannot be encoded one way only must never be signed.
 */

export class CanonicalJsonError extends TypeError {
  constructor(message: string, readonly path: string) {
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
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

function needsSlowSort(keys: string[]): boolean {
  for (const k of keys) for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) >= 0xd800) return true;
  return false;
}

function encode(value: unknown, path: string, seen: Set<object>, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`non-finite number ${value}`, path);
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'object': {
      if (value === null) {
        out.push('null');
        return;
      }
      if (seen.has(value)) throw new CanonicalJsonError('cycle', path);
      seen.add(value);
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i) out.push(',');
          const item = value[i];
          if (item === undefined) throw new CanonicalJsonError('undefined', `${path}[${i}]`);
          encode(item, `${path}[${i}]`, seen, out);
        }
        out.push(']');
      } else if (value instanceof Uint8Array || value instanceof Date || value instanceof Map || value instanceof Set) {
        throw new CanonicalJsonError(`unsupported ${value.constructor.name}`, path);
      } else {
        const obj = value as Record<string, unknown>;
        const keys = Object.keys(obj);
        keys.sort(needsSlowSort(keys) ? compareCodePoints : undefined);
        out.push('{');
        let first = true;
        for (const k of keys) {
          const v = obj[k];
          if (v === undefined) throw new CanonicalJsonError('undefined', `${path}.${k}`);
          if (!first) out.push(',');
          first = false;
          out.push(JSON.stringify(k), ':');
          encode(v, `${path}.${k}`, seen, out);
        }
        out.push('}');
      }
      seen.delete(value);
      return;
    }
    default:
      throw new CanonicalJsonError(`unsupported ${typeof value}`, path);
  }
}

/** The canonical text of `value`. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  encode(value, '', new Set(), out);
  return out.join('');
}

const utf8 = new TextEncoder();

/** The canonical UTF-8 bytes of `value`: what gets signed and hashed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(value));
}
