/** §1 (../shared/spec/hearthnet-reference.md) defaults: the all-defaults Config, read from the `default`s of `schema.ts`. */
import { compileSchema } from '../schema';
import { ConfigSchema, DEFAULT_PROBE_TARGETS } from './schema';
import type { Config } from './types';
import { ConfigError } from './errors';

export { DEFAULT_PROBE_TARGETS };

const fillDefaults = compileSchema(ConfigSchema, { fill: true });

/** Freeze an object and every object inside it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** All-defaults Config (reference `default_config`). A fresh deep-frozen object each call. */
export function defaultConfig(): Config {
  const doc: unknown = {};
  // Every section and key has a default, so the empty document always passes.
  if (!fillDefaults(doc)) throw new ConfigError('config_invalid', 'config schema: its defaults do not satisfy it');
  return deepFreeze(doc);
}
