/** What every command needs: the config (from --config or the default location) and the environment. */
import type { Command } from 'commander';
import { configPath, loadConfig, type Config, type Env } from '../config';

export interface CliContext {
  readonly env: Env;
  /** The config file in use (it may not exist yet). */
  readonly configFile: string;
  readonly config: Config;
}

/** Load the config named by the root `--config` option, or the default one. Throws ConfigError. */
export function cliContext(cmd: Command, env: Env = process.env): CliContext {
  const root = rootOf(cmd);
  const file = (root.opts() as { config?: string }).config ?? configPath(env);
  return { env, configFile: file, config: loadConfig(file, { env }) };
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** Print human text or JSON. */
export function out(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
}
