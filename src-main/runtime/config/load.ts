/** Read config.toml (§1 of ../shared/spec/hearthnet-reference.md `load`): parse, apply defaults, resolve paths, validate. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { defaultConfig } from './defaults';
import { configFromToml } from './parse';
import { configPath, resolvePaths } from './paths';
import type { Config, Env } from './types';
import { validateConfig } from './validate';
import { ConfigError } from './errors';

export interface LoadOptions {
  readonly env?: Env;
}

/**
 * Parse TOML text into a raw document. Throws ConfigError `config_invalid` naming the file and
 * the line/column smol-toml reports.
 */
export function parseTomlText(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0];
      throw new ConfigError(
        'config_invalid',
        `${file}: line ${err.line}, column ${err.column}: ${first}. Fix the file by hand or restore a backup; HearthNet will not overwrite it.`,
        {
          cause: err,
          details: { file, line: err.line, column: err.column },
        },
      );
    }
    throw new ConfigError('config_invalid', `${file}: not valid TOML`, { cause: err, details: { file } });
  }
}

/** Read a file's text, or null when it does not exist; other failures are `config_unreadable`. */
export function readConfigText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ConfigError(
      'config_unreadable',
      `${file}: cannot be read (${code ?? String(err)}); check its permissions`,
      { cause: err, details: { file, errno: code } },
    );
  }
}

/**
 * Load the config at `path` (default: `configPath(env)`). A missing file yields the defaults.
 * Relative paths in the file are taken against the file's folder. Throws ConfigError.
 */
export function loadConfig(path?: string, opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = resolve(path ?? configPath(env));
  const text = readConfigText(file);
  const raw = text === null ? defaultConfig() : configFromToml(parseTomlText(text, file), file);
  const config = resolvePaths(raw, { env, baseDir: dirname(file) });
  validateConfig(config, file);
  return config;
}
