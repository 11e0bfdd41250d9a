/**
 * Where the desktop app keeps the household's node: `<OS app-data>/HearthNet/node`, laid out exactly
 * like a `HEARTHNET_HOME` folder (config.toml, keys/, state/, blobs/, ...), so the CLI reads the same
 * node with `HEARTHNET_HOME=<that folder> hearthnet status`. An explicit HEARTHNET_HOME wins.
 */
import { join } from 'node:path';
import type { Env } from '../runtime/config';

/** The folder inside Electron's `userData` (Chromium keeps its own caches beside it). */
export const NODE_FOLDER = 'node';

/** Electron's userData per OS, for the README and for tests (productName "HearthNet"). */
export const APP_DATA_EXAMPLES = {
  darwin: '~/Library/Application Support/HearthNet/node',
  win32: '%APPDATA%\\HearthNet\\node',
  linux: '~/.config/HearthNet/node',
} as const;

export function desktopHome(userDataDir: string, env: Env): string {
  const explicit = env.HEARTHNET_HOME?.trim();
  return explicit ? explicit : join(userDataDir, NODE_FOLDER);
}

/** The environment the in-process node is started with. */
export function desktopEnv(userDataDir: string, env: Env): Env & { HEARTHNET_HOME: string } {
  return { ...env, HEARTHNET_HOME: desktopHome(userDataDir, env) };
}
