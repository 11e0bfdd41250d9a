/** Every `hearthnet` subcommand, registered in one place so new ones slot in. */
import type { Command } from 'commander';
import { addHelpExamples } from '../help-examples';
import { registerBackup } from './backup';
import { registerCommunity } from './community';
import { registerChat } from './chat';
import { registerDoctor } from './doctor';
import { registerFiles } from './files';
import { registerInit } from './init';
import { registerInvite } from './invite';
import { registerLog } from './log';
import { registerMarket } from './market';
import { registerMesh } from './mesh';
import { registerModels } from './models';
import { registerOpen } from './open';
import { registerRag } from './rag';
import { registerRun } from './run';
import { registerStatus } from './status';
import { registerVersion } from './version';

export function registerCommands(program: Command): void {
  registerVersion(program);
  registerInit(program);
  registerRun(program);
  registerStatus(program);
  registerDoctor(program);
  registerMesh(program);
  registerInvite(program);
  registerLog(program);
  registerCommunity(program);
  registerFiles(program);
  registerMarket(program);
  registerChat(program);
  registerRag(program);
  registerModels(program);
  registerOpen(program);
  registerBackup(program);
  // Last, so every command registered above gets its examples.
  addHelpExamples(program);
}
