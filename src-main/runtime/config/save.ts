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
import { SECTIONS } from './schema';
import type { Config, Env } from './types';
import { validateConfig } from './validate';
import { ConfigError } from './errors';

export interface SaveOptions {
  readonly env?: Env;
  /** Replace an existing file even when it cannot be parsed (its content is lost). */
  readonly force?: boolean;
}

const HEADER = '# HearthNet configuration. Settings not listed here use their defaults.\n\n';

/** Sections/keys that must always be written so users find them. */
const ALWAYS_WRITTEN: Readonly<Record<string, readonly string[]>> = { node: ['display_name', 'profile'] };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The TOML document `saveConfig` writes for `config` (exported for tests and `hearthnet config show`). */
export function configToToml(config: Config, opts: { env?: Env; baseDir?: string } = {}): string {
  const defaults = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  const derived = resolvePaths(defaultConfig(), opts) as unknown as Record<string, Record<string, unknown>>;
  const cfg = config as unknown as Record<string, Record<string, unknown>>;
  const doc: Record<string, Record<string, unknown>> = {};
  for (const section of SECTIONS) {
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(cfg[section])) {
      const always = ALWAYS_WRITTEN[section]?.includes(key) ?? false;
      if (value === null) continue;
      if (!always && (same(value, defaults[section][key]) || same(value, derived[section][key]))) continue;
      body[key] = section === 'llm' && key === 'backends' ? (value as Record<string, unknown>[]).map(dropNulls) : value;
    }
    if (Object.keys(body).length > 0) doc[section] = body;
  }
  return HEADER + stringify(doc) + '\n';
}

function dropNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
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
