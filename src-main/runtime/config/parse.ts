/** TOML document -> Config: rejects unknown keys and wrong types, fills in defaults. */
import { BACKEND_SCHEMA, CONFIG_SCHEMA, EXPECTED, SECTIONS, type FieldKind } from './schema';
import { defaultConfig, deepFreeze, LLM_BACKEND_DEFAULTS } from './defaults';
import { keyError, unknownKeyError } from './errors';
import type { Config, ConfigSection, LlmBackendConfig } from './types';

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** Check one value against its kind; returns the value to store. */
function readValue(kind: FieldKind, value: unknown, key: string, file: string | null): unknown {
  const bad = () => keyError('wrong_type', file, key, EXPECTED[kind], value);
  switch (kind) {
    case 'string':
    case 'string?':
    case 'path':
    case 'path?':
      if (typeof value !== 'string') throw bad();
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw bad();
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad();
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad();
      return value;
    case 'string[]':
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw bad();
      return [...value];
    case 'backends':
      if (!Array.isArray(value)) throw bad();
      return value.map((entry, i) => readBackend(entry, `${key}[${i}]`, file));
  }
}

function readBackend(entry: unknown, key: string, file: string | null): LlmBackendConfig {
  if (!isTable(entry)) throw keyError('wrong_type', file, key, 'a [[llm.backends]] table', entry);
  const out: Record<string, unknown> = { ...LLM_BACKEND_DEFAULTS };
  for (const [k, v] of Object.entries(entry)) {
    const kind = (BACKEND_SCHEMA as Record<string, FieldKind>)[k];
    if (!kind) throw unknownKeyError(file, `${key}.${k}`, Object.keys(BACKEND_SCHEMA));
    out[k] = readValue(kind, v, `${key}.${k}`, file);
  }
  if (out.name === undefined)
    throw keyError('wrong_type', file, `${key}.name`, 'set to a backend name, like name = "ollama"');
  return out as unknown as LlmBackendConfig;
}

/**
 * Turn a parsed TOML document into a Config over the defaults. Throws ConfigError
 * `unknown_key` / `wrong_type` naming `file` and the dotted key. Range checks are `validateConfig`'s.
 */
export function configFromToml(doc: Table, file: string | null = null): Config {
  const base = defaultConfig() as unknown as Record<ConfigSection, Table>;
  const out: Record<string, Table> = {};
  for (const [section, body] of Object.entries(doc)) {
    if (!(SECTIONS as string[]).includes(section)) {
      throw unknownKeyError(
        file,
        section,
        SECTIONS.map((x) => `[${x}]`),
      );
    }
    if (!isTable(body)) throw keyError('wrong_type', file, section, `a [${section}] table`, body);
    const schema = CONFIG_SCHEMA[section as ConfigSection] as Record<string, FieldKind>;
    const merged: Table = { ...base[section as ConfigSection] };
    for (const [k, v] of Object.entries(body)) {
      const kind = schema[k];
      if (!kind)
        throw unknownKeyError(
          file,
          `${section}.${k}`,
          Object.keys(schema).map((x) => `${section}.${x}`),
        );
      merged[k] = readValue(kind, v, `${section}.${k}`, file);
    }
    out[section] = merged;
  }
  return deepFreeze({ ...base, ...out } as unknown as Config);
}
