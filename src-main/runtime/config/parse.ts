/** TOML document -> Config: the schema rejects unknown keys and wrong types and fills in defaults. */
import { compileSchema, firstError } from '../schema';
import { deepFreeze } from './defaults';
import { configErrorOf, TOML_DATE } from './errors';
import { ConfigSchema } from './schema';
import type { Config } from './types';
import { ConfigError } from './errors';

const fillAndCheck = compileSchema(ConfigSchema, { fill: true });

/** A fresh copy of a parsed TOML value (the check fills defaults into it); dates become TOML_DATE. */
function copyToml(v: unknown): unknown {
  if (v instanceof Date) return TOML_DATE;
  if (Array.isArray(v)) return v.map(copyToml);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyToml(x)]));
  return v;
}

/**
 * Turn a parsed TOML document into a Config over the defaults. Throws ConfigError `unknown_key`,
 * `wrong_type`, `out_of_range` or `unknown_backend` naming `file` and the dotted key.
 * Cross-field checks are `validateConfig`'s.
 */
export function configFromToml(doc: Readonly<Record<string, unknown>>, file: string | null = null): Config {
  const copy = copyToml(doc);
  if (fillAndCheck(copy)) return deepFreeze(copy);
  const e = firstError(fillAndCheck);
  throw e ? configErrorOf(e, file) : new ConfigError('config_invalid', `${file ?? 'config'}: not a valid config`);
}
