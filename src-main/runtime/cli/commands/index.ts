/** Every `hearthnet` subcommand, registered in one place so new ones slot in. */
import type { Command } from 'commander';
import { registerVersion } from './version';

export function registerCommands(program: Command): void {
  registerVersion(program);
}
