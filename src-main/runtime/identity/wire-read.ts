/**
 * Reading a signed wire object with its schema: JSON bytes or text parsed, checked, and a refusal
 * that names the field thrown as each reader's own error (`community manifest field "name" must
 * not be empty`).
 */
import { parseWith, type Check } from '../schema';

/** Called with a dotted field path (`hardware.ram_gb`, `$` for the whole) and what is wrong; must throw. */
export type ShapeFail = (field: string, problem: string) => never;

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

/**
 * `value` checked by `check`, or `fail(field, why)` for its first problem; `prefix` goes before the
 * field (`data` makes `data.level`), and the whole value is `prefix` itself or `$`.
 */
export function readWith<T>(check: Check<T>, value: unknown, fail: ShapeFail, prefix = ''): T {
  return parseWith(check, value, (_message, field, why) => {
    const path = prefix && field ? `${prefix}.${field}` : field || prefix || '$';
    return fail(path, why);
  });
}
