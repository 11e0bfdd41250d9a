/**
 * Write config.toml atomically (§1 of ../shared/spec/hearthnet-reference.md `save`): temp file + fsync + rename, so the file is
 * always either the old or the new version. Writes only what differs from the defaults and
 * derived paths, so moving HEARTHNET_HOME or a future default change still takes effect.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'smol-toml';
import { defaultConfig } from './defaults';
import { parseTomlText, readConfigText } from './load';
import { configPath, resolvePaths } from './paths';
import { ConfigSchema, SECTIONS } from './schema';
import type { Config, Env } from './types';
import { validateConfig } from './validate';
import { ConfigError } from './errors';

export interface SaveOptions {
  readonly env?: Env;
  /** Replace an existing file even when it cannot be parsed (its content is lost). */
  readonly force?: boolean;
}

const HEADER = '# HearthNet configuration. Settings not listed here use their defaults.\n\n';

/** Keys always written, even at their default, so users find them. */
const ALWAYS_WRITTEN: ReadonlySet<string> = new Set(['node.display_name', 'node.profile']);

type Tables = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The TOML document `saveConfig` writes for `config` (exported for tests and `hearthnet config
 * show`): the keys of the schema, in its order, that differ from their default and derived value.
 */
export function configToToml(config: Config, opts: { env?: Env; baseDir?: string } = {}): string {
  const defaults: Tables = defaultConfig();
  const derived: Tables = resolvePaths(defaultConfig(), opts);
  const cfg: Tables = config;
  const doc: Record<string, Record<string, unknown>> = {};
  for (const section of SECTIONS) {
    const body: Record<string, unknown> = {};
    for (const key of Object.keys(ConfigSchema.properties[section].properties)) {
      const value = cfg[section][key];
      if (value === null || value === undefined) continue;
      const always = ALWAYS_WRITTEN.has(`${section}.${key}`);
      if (!always && (same(value, defaults[section][key]) || same(value, derived[section][key]))) continue;
      body[key] = withoutNulls(value);
    }
    if (Object.keys(body).length > 0) doc[section] = body;
  }
  return HEADER + stringify(doc) + '\n';
}

/** TOML has no null: an unset optional key (inside `[[llm.backends]]`) is left out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
  return v;
}

/**
 * Validate and atomically write `config` to `path` (default: `configPath(env)`).
 * Refuses (ConfigError `config_invalid`) to replace an existing file that does not parse,
 * unless `force`; a failed write is `write_failed` and leaves the old file and no temp file.
 */
export function saveConfig(config: Config, path?: string, opts: SaveOptions = {}): void {
  const env = opts.env ?? process.env;
  const file = resolve(path ?? configPath(env));
  validateConfig(config, file);
  if (!opts.force && existsSync(file)) {
    const text = readConfigText(file);
    if (text !== null) {
      try {
        parseTomlText(text, file);
      } catch (err) {
        throw new ConfigError(
          'config_invalid',
          `${file} cannot be parsed, so HearthNet will not overwrite it (your settings may be in there). Fix or move the file, then try again.`,
          {
            cause: err,
            details: { file, ...(err instanceof ConfigError ? err.details : {}) },
          },
        );
      }
    }
  }
  const text = configToToml(config, { env, baseDir: dirname(file) });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file was never created; nothing to clean.
    }
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      'write_failed',
      `${file}: could not be saved (${code ?? String(err)}); the previous file is unchanged`,
      { cause: err, details: { file, errno: code } },
    );
  }
}
