/**
 * `hearthnet erase [--keep-keys] --yes`: removes everything HearthNet keeps for this household on
 * this computer (settings, the event log with its messages, files, document indexes, models, logs,
 * the desktop app's settings), optionally keeping the identity so the household can rejoin as itself.
 */
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import { hearthnetHome, type Config, type Env } from '../config';

export interface ErasePlan {
  /** Folders and files to remove, absolute. */
  readonly remove: readonly string[];
  /** Kept on purpose (the keys with --keep-keys). */
  readonly keep: readonly string[];
}

/** What erase would remove for this config; refuses paths that are not plainly HearthNet's. */
export function erasePlan(config: Config, configFile: string, env: Env, keepKeys: boolean): ErasePlan {
  const candidates = [
    config.community.state_dir,
    config.file.blobs_dir,
    config.rag.corpora_dir,
    config.node.models_dir,
    config.observability.log_dir,
    configFile,
    join(dirname(configFile), 'desktop.json'),
    ...(keepKeys ? [] : [config.identity.keys_dir]),
  ].map((p) => resolve(p));
  const protectedPaths = new Set([
    resolve(homedir()),
    resolve(env.HOME ?? homedir()),
    parse(resolve('/')).root,
    resolve(process.cwd()),
  ]);
  for (const p of candidates) {
    if (!isAbsolute(p) || protectedPaths.has(p) || p.split(/[\\/]/).filter(Boolean).length < 2) {
      throw new Error(`refusing to erase ${p}: it is not a HearthNet folder (check the paths in ${configFile})`);
    }
  }
  const unique = [...new Set(candidates)];
  // A folder inside another one on the list goes with its parent.
  const remove = unique.filter((p) => !unique.some((q) => q !== p && p.startsWith(q + '/')));
  return { remove: remove.filter((p) => existsSync(p)), keep: keepKeys ? [resolve(config.identity.keys_dir)] : [] };
}

/** Removes what the plan names; then the HEARTHNET_HOME folder itself if nothing else is left in it. */
export function runErase(plan: ErasePlan, env: Env): string[] {
  const removed: string[] = [];
  for (const p of plan.remove) {
    rmSync(p, { recursive: true, force: true });
    removed.push(p);
  }
  const home = hearthnetHome(env);
  if (home && existsSync(home) && readdirSync(home).length === 0) {
    rmdirSync(home);
    removed.push(home);
  }
  return removed;
}
