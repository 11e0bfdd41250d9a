/** X04 config errors (local, at start-up: never sent to a peer), and builders that name the file, key and expectation. */
import { defineDomainError } from '../../common';

export const CONFIG_ERROR_CODES = [
  'config_missing',
  'config_unreadable',
  'config_invalid',
  'unknown_key',
  'wrong_type',
  'out_of_range',
  'unknown_backend',
  'write_failed',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];
export const ConfigError = defineDomainError<ConfigErrorCode>('ConfigError', CONFIG_ERROR_CODES, {});
export type ConfigError = InstanceType<typeof ConfigError>;

/** Short, readable rendering of a bad value for an error message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (v !== null && typeof v === 'object') return 'a table';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** `<file>: <key> <problem>` with file/key/expected/got in details. */
export function keyError(
  code: ConfigErrorCode,
  file: string | null,
  key: string,
  expected: string,
  got?: unknown,
): ConfigError {
  const where = file ? `${file}: ` : 'config: ';
  const tail = got === undefined ? '' : `, got ${describeValue(got)}`;
  return new ConfigError(code, `${where}${key} must be ${expected}${tail}`, {
    details: { file, key, expected, ...(got === undefined ? {} : { got: describeValue(got) }) },
  });
}

/** `<file>: unknown setting "<key>"`, listing what is known (typos are the usual cause). */
export function unknownKeyError(file: string | null, key: string, known: readonly string[]): ConfigError {
  const expected = `one of: ${known.join(', ')}`;
  return new ConfigError(
    'unknown_key',
    `${file ? `${file}: ` : 'config: '}unknown setting "${key}" (expected ${expected})`,
    {
      details: { file, key, expected },
    },
  );
}
