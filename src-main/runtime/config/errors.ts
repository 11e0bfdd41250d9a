/** X04 config errors (local, at start-up: never sent to a peer), and builders that name the file, key and expectation. */
import type { ErrorObject } from 'ajv';
import { defineDomainError } from '../../common';
import { dottedPath, fieldOf, schemaOf, typeWords } from '../schema';
import { RETIRED_KEYS } from './schema';

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

/** A TOML date stands in as this symbol while checking: no config key takes a date. */
export const TOML_DATE = Symbol('a TOML date');

/** Short, readable rendering of a bad value for an error message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === TOML_DATE || v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a table';
  const s = scalarText(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A TOML scalar as written (strings quoted); anything else (not from TOML) by its type. */
function scalarText(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return v === null ? 'null' : typeof v;
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

function expectedOf(s: Record<string, unknown>): string {
  return typeof s.expected === 'string' ? s.expected : typeWords(s.type);
}

/**
 * The ConfigError for the first problem ajv found in a config document, from the schema's own
 * annotations: an unknown key lists the known ones, a wrong type is `wrong_type`, a value out of
 * its range is `out_of_range` (or the schema's `code`), each naming the dotted key.
 */
export function configErrorOf(e: ErrorObject, file: string | null): ConfigError {
  const s = schemaOf(e);
  const key = fieldOf(e);
  if (e.keyword === 'additionalProperties') {
    const parent = dottedPath(e.instancePath);
    const retired = RETIRED_KEYS[key];
    if (retired)
      return new ConfigError(
        'unknown_key',
        `${file ? `${file}: ` : 'config: '}${key} is no longer a setting: ${retired}. Delete the line.`,
        { details: { file, key, expected: 'no such key' } },
      );
    const known = Object.keys(s.properties ?? {});
    return unknownKeyError(
      file,
      key,
      known.map((k) => (parent ? `${parent}.${k}` : `[${k}]`)),
    );
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const sub = ((s.properties ?? {}) as Record<string, Record<string, unknown>>)[missing] ?? {};
    return keyError('wrong_type', file, key, `set to ${expectedOf(sub)}`);
  }
  if (e.keyword === 'type') return keyError('wrong_type', file, key, expectedOf(s), e.data);
  const code = typeof s.code === 'string' ? (s.code as ConfigErrorCode) : 'out_of_range';
  return keyError(code, file, key, expectedOf(s), e.data);
}
