/** `hearthnet open`: opens the household app of the running node in the default browser. */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { cliContext } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { connectLocalNode } from '../local-node';

/** The program that opens a URL on this platform. */
function opener(): { cmd: string; args: (url: string) => string[] } {
  if (process.platform === 'darwin') return { cmd: 'open', args: (u) => [u] };
  if (process.platform === 'win32') return { cmd: 'cmd', args: (u) => ['/c', 'start', '""', u.replace(/&/g, '^&')] };
  return { cmd: 'xdg-open', args: (u) => [u] };
}

export function registerOpen(program: Command): void {
  program
    .command('open')
    .description("open the household app in your browser (the link carries this computer's key; do not share it)")
    .option('--print', 'print the link instead of opening a browser')
    .action(async (opts: { print?: boolean }, cmd: Command) => {
      const { info } = connectLocalNode(cliContext(cmd).config);
      const host = info.api_host === '0.0.0.0' || info.api_host === '::' ? '127.0.0.1' : info.api_host;
      const url = `http://${host}:${info.api_port}/#token=${info.api_token}`;
      if (opts.print) {
        process.stdout.write(url + '\n');
        return;
      }
      const o = opener();
      await new Promise<void>((resolve, reject) => {
        const child = spawn(o.cmd, o.args(url), { stdio: 'ignore', detached: true });
        child.once('error', (err) =>
          reject(
            new CliExit(EXIT.error, `could not start a browser (${err.message}); open this link yourself:\n${url}`),
          ),
        );
        child.once('spawn', () => {
          child.unref();
          resolve();
        });
      });
      process.stderr.write(`Opened HearthNet in your browser (${host}:${info.api_port}).\n`);
    });
}
