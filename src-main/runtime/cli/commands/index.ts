/** Every `hearthnet` subcommand, registered in one place so new ones slot in. */
import type { Command } from 'commander';
import { registerDoctor } from './doctor';
import { registerInit } from './init';
import { registerVersion } from './version';

export function registerCommands(program: Command): void {
  registerVersion(program);
  registerInit(program);
  registerDoctor(program);
}
