/** What every command needs: the config (from --config or the default location) and the environment. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { escapeJsonForTerminal, neutralise } from '../../common';
import { configPath, loadConfig, type Config, type Env } from '../config';
import { CliExit, EXIT } from './exit-codes';

export interface CliContext {
  readonly env: Env;
  /** The config file in use (it may not exist yet). */
  readonly configFile: string;
  readonly config: Config;
}

/**
 * Load the config named by the root `--config` option, or the default one. Throws ConfigError.
 * A file named with `-c` must exist (a typo would otherwise run silently on defaults), except for
 * `init`, which creates it (`mayCreate`). The default location may be absent: defaults apply.
 */
export function cliContext(cmd: Command, env: Env = process.env, opts: { mayCreate?: boolean } = {}): CliContext {
  const root = rootOf(cmd);
  const named = root.opts<{ config?: string }>().config;
  if (named !== undefined && !opts.mayCreate && !existsSync(named)) {
    throw new CliExit(
      EXIT.usage,
      `the config file "${named}" (named with -c/--config) does not exist; check the path, or leave -c out to use ${configPath(env)}`,
    );
  }
  const file = named ?? configPath(env);
  return { env, configFile: file, config: loadConfig(file, { env }) };
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/**
 * Print human text or JSON. Both are made inert for a terminal: what commands print holds other
 * households' text (post bodies, names, messages), which must not carry escape sequences or
 * text-direction overrides to this screen (common/text-safety.ts). JSON keeps the exact values.
 * Commands neutralise one-line fields themselves (a newline in a name must not fake a line);
 * this is the last guard for everything else.
 */
export function out(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(
    json
      ? escapeJsonForTerminal(JSON.stringify(value, null, 2)) + '\n'
      : neutralise(human(), { multiline: true }) + '\n',
  );
}
