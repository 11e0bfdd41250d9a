/** `hearthnet version` */
import type { Command } from 'commander';
import { PACKAGE_VERSION } from '../../version';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the HearthNet version')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const info = { version: PACKAGE_VERSION, node: process.version, platform: `${process.platform}-${process.arch}` };
      process.stdout.write(
        opts.json ? JSON.stringify(info) + '\n' : `hearthnet ${info.version} (node ${info.node}, ${info.platform})\n`,
      );
    });
}
