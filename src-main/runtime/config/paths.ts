/**
 * Where HearthNet keeps its files. `HEARTHNET_HOME` roots every path in one folder (several
 * nodes on one machine); otherwise XDG locations under the user's home.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigSchema, SECTIONS } from './schema';
import type { Config, Env } from './types';

/** A location of HearthPaths a config path key falls back to (schema.ts `derived`). */
export type PathLocation = 'keys' | 'state' | 'logs' | 'blobs' | 'corpora' | 'models';

/** Every location HearthNet derives when the config leaves a path empty. */
export interface HearthPaths {
  /** The HEARTHNET_HOME folder, or null when XDG locations are used. */
  readonly home: string | null;
  readonly config: string;
  readonly keys: string;
  readonly state: string;
  readonly logs: string;
  readonly blobs: string;
  readonly corpora: string;
  readonly models: string;
}

export const CONFIG_FILE_NAME = 'config.toml';
export const RUNTIME_FILE_NAME = 'runtime.json';
const APP = 'hearthnet';

function userHome(env: Env): string {
  return env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
}

/** Expand a leading `~` and make the path absolute against `baseDir`. */
export function expandPath(p: string, baseDir: string, env: Env = process.env): string {
  if (p === '~') return userHome(env);
  if (p.startsWith('~/')) return join(userHome(env), p.slice(2));
  return isAbsolute(p) ? resolve(p) : resolve(baseDir, p);
}

/** The HEARTHNET_HOME folder (absolute), or null when unset or empty. */
export function hearthnetHome(env: Env = process.env): string | null {
  const h = env.HEARTHNET_HOME;
  return h && h.trim().length > 0 ? expandPath(h.trim(), process.cwd(), env) : null;
}

/** The derived location of every HearthNet file for this environment. */
export function defaultPaths(env: Env = process.env): HearthPaths {
  const home = hearthnetHome(env);
  if (home) {
    const state = join(home, 'state');
    return {
      home,
      config: join(home, CONFIG_FILE_NAME),
      keys: join(home, 'keys'),
      state,
      logs: join(home, 'logs'),
      blobs: join(home, 'blobs'),
      corpora: join(home, 'corpora'),
      models: join(home, 'models'),
    };
  }
  const user = userHome(env);
  const xdg = (name: string, fallback: string) => {
    const dir = env[name];
    return dir && isAbsolute(dir) ? dir : join(user, fallback);
  };
  const configDir = join(xdg('XDG_CONFIG_HOME', '.config'), APP);
  const state = join(xdg('XDG_STATE_HOME', '.local/state'), APP);
  const data = join(xdg('XDG_DATA_HOME', '.local/share'), APP);
  return {
    home: null,
    config: join(configDir, CONFIG_FILE_NAME),
    keys: join(configDir, 'keys'),
    state,
    logs: join(state, 'logs'),
    blobs: join(data, 'blobs'),
    corpora: join(data, 'corpora'),
    models: join(data, 'models'),
  };
}

/** The config file this environment uses: `<HEARTHNET_HOME>/config.toml` or `$XDG_CONFIG_HOME/hearthnet/config.toml`. */
export function configPath(env: Env = process.env): string {
  return defaultPaths(env).config;
}

/** Options for `resolvePaths`. */
export interface ResolveOptions {
  readonly env?: Env;
  /** Folder relative paths are taken against; default: the config file's folder. */
  readonly baseDir?: string;
}

/**
 * Fill every empty path with its derived location and make the others absolute (`~` expanded,
 * relative to the config file's folder). Idempotent: resolving a resolved config changes nothing.
 */
export function resolvePaths(config: Config, opts: ResolveOptions = {}): Config {
  const env = opts.env ?? process.env;
  const d = defaultPaths(env);
  const base = opts.baseDir ?? dirname(d.config);
  const resolved: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    const body: Record<string, unknown> = { ...config[section] };
    for (const [key, schema] of Object.entries(ConfigSchema.properties[section].properties)) {
      if (!('derived' in schema)) continue;
      const value = body[key];
      // TypeBox keeps extra schema options untyped; `path()`/`optPath()` in schema.ts set this one.
      const { derived } = schema as { derived: PathLocation | null };
      if (value === null || value === '') body[key] = derived === null ? null : d[derived];
      else if (typeof value === 'string') body[key] = expandPath(value, base, env);
    }
    resolved[section] = Object.freeze(body);
  }
  return Object.freeze(resolved as Config);
}

/**
 * `<state>/runtime.json`: where a running node writes its bound ports. Uses the config's
 * state_dir when given (resolved), else the derived state folder.
 */
export function runtimeFilePath(config?: Config, env: Env = process.env): string {
  const state =
    config && config.community.state_dir !== ''
      ? resolvePaths(config, { env }).community.state_dir
      : defaultPaths(env).state;
  return join(state, RUNTIME_FILE_NAME);
}
