/** `hearthnet log [--follow] [--level L]`: this node's log lines, readable. */
import type { Command } from 'commander';
import { escapeJsonForTerminal, neutralise } from '../../../common';
import { LOG_LEVELS, type LogLevel } from '../../config';
import { readLogs } from '../../observability';
import { cliContext } from '../context';
import { CliExit, EXIT } from '../exit-codes';

export function registerLog(program: Command): void {
  program
    .command('log')
    .description("show this node's log")
    .option('-f, --follow', 'keep printing new lines')
    .option('--level <level>', `lowest level shown: ${LOG_LEVELS.join(' | ')}`, 'info')
    .option('--component <name>', 'only lines from this component')
    .option('--json', 'raw JSON lines')
    .action(async (opts: { follow?: boolean; level: string; component?: string; json?: boolean }, cmd: Command) => {
      if (!(LOG_LEVELS as readonly string[]).includes(opts.level))
        throw new CliExit(EXIT.usage, `--level must be one of ${LOG_LEVELS.join(', ')}`);
      const { config } = cliContext(cmd);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      for await (const r of readLogs({
        dir: config.observability.log_dir,
        level: opts.level as LogLevel,
        component: opts.component,
        follow: !!opts.follow,
        signal: ac.signal,
      })) {
        // Log lines quote peers (names, refused events, error messages): inert on a terminal.
        if (opts.json) process.stdout.write(escapeJsonForTerminal(JSON.stringify(r)) + '\n');
        else {
          // Read back from disk, only `level` is checked: the other fields are printed as whatever they hold.
          const { ts, level, logger, msg, ...rest }: Record<string, unknown> = r;
          const extras = Object.keys(rest).length ? ' ' + escapeJsonForTerminal(JSON.stringify(rest)) : '';
          process.stdout.write(
            `${neutralise(String(ts))} ${neutralise(String(level).toUpperCase().padEnd(5))} ${neutralise(String(logger))}: ${neutralise(String(msg))}${extras}\n`,
          );
        }
      }
    });
}
