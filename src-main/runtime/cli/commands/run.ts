/** `hearthnet run [--no-ui] [--port N]`: run this household's node until Ctrl-C / SIGTERM. */
import type { Command } from 'commander';
import { errorMessage, errorStack } from '../../../common';
import { nodeFiles } from '../../config/node-paths';
import { readRuntimeFile } from '../../config/runtime-file';
import { cliContext } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { APP_ROOT } from '../../version';
import { ensureWebUi } from '../web-build';

interface RunOptions {
  ui: boolean;
  port?: string;
  apiPort?: string;
  host?: string;
  debug?: boolean;
  probeTarget?: string[];
}

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliExit(EXIT.usage, `${name} must be a port number 0-65535 (0 picks a free one), got "${value}"`);
  return n;
}

type StopReason = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'error'; error: unknown };

/**
 * Every way a running node is asked to end: SIGINT (Ctrl-C), SIGTERM (service managers), SIGHUP
 * (the terminal closed), and an uncaught error or unhandled rejection. Each leads to the same
 * orderly stop (databases closed, runtime.json removed). A second signal during the stop is
 * ignored rather than killing the process half-way.
 */
function whenToStop(): { reason: Promise<StopReason>; dispose(): void } {
  let settle!: (r: StopReason) => void;
  const reason = new Promise<StopReason>((resolve) => (settle = resolve));
  const onSignal = (signal: NodeJS.Signals) => settle({ kind: 'signal', signal });
  const onError = (error: unknown) => settle({ kind: 'error', error });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    reason,
    dispose() {
      for (const s of signals) process.off(s, onSignal);
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description("run this household's node")
    .option('--no-ui', 'headless: do not open the app window or a browser')
    .option('--port <n>', 'peer port (default from config, 7080; 0 picks a free port)')
    .option('--api-port <n>', 'local API / web UI port (default from config, 7860; 0 when --port is 0)')
    .option(
      '--host <address>',
      'address to listen on for neighbours (default 0.0.0.0; 127.0.0.1 keeps the node on this machine)',
    )
    .option('--debug', 'also log to the terminal')
    .option(
      '--probe-target <target...>',
      'internet checks for emergency mode (IP, hostname or http URL); "none" turns them off for this run',
    )
    .action(async (opts: RunOptions, cmd: Command) => {
      const ctx = cliContext(cmd);
      const running = readRuntimeFile(nodeFiles(ctx.config).runtime);
      if (running)
        throw new CliExit(
          EXIT.error,
          `a HearthNet node is already running for this household (pid ${running.pid}, peer port ${running.transport_port}); stop it first`,
        );
      const transportPort = portOption(opts.port, '--port');
      const apiPort = portOption(opts.apiPort, '--api-port') ?? (transportPort === 0 ? 0 : undefined);
      let config = opts.host ? { ...ctx.config, transport: { ...ctx.config.transport, host: opts.host } } : ctx.config;
      if (opts.probeTarget) {
        const targets = opts.probeTarget.includes('none') ? [] : opts.probeTarget;
        config = { ...config, emergency: { ...config.emergency, probe_targets: targets } };
      }
      // A fresh clone (or edited sources) gets its web app built first: install + run is the whole set-up.
      if (opts.ui && APP_ROOT)
        await ensureWebUi(APP_ROOT, (text) => process.stderr.write(text), { tty: process.stderr.isTTY });
      // Listen for the end before starting: a signal that comes while the node starts (or the moment
      // runtime.json appears) must stop it cleanly too, not kill it with the default action.
      const ending = whenToStop();
      // Loaded only here: the whole node is heavy, and every other command starts faster without it.
      const { startNode } = await import('../../node');
      let node: Awaited<ReturnType<typeof startNode>>;
      try {
        node = await startNode({
          config,
          configFile: ctx.configFile,
          transportPort,
          apiPort,
          logToStderr: !!opts.debug,
        });
      } catch (err) {
        ending.dispose();
        throw err;
      }
      const s = node.api.status();
      process.stdout.write(
        `HearthNet node "${s.display_name}" running (${s.node_id_short})\n` +
          `  peers connect on port ${node.transportPort}; local API on ${config.ui.host}:${node.apiPort}\n` +
          `  community: ${s.community ? s.community.name : 'none yet'}\n` +
          'Press Ctrl-C to stop.\n',
      );
      if (opts.ui) {
        const host = config.ui.host === '0.0.0.0' ? '127.0.0.1' : config.ui.host;
        process.stdout.write(
          `Open HearthNet in your browser: http://${host}:${node.apiPort}/#token=${node.apiToken}\n`,
        );
      }
      const why = await ending.reason;
      process.stdout.write(`\n${why.kind === 'signal' ? why.signal : 'unexpected error'}: stopping…\n`);
      if (why.kind === 'error') node.log.error('unexpected error; stopping', { error: errorStack(why.error) });
      await node.stop();
      ending.dispose();
      if (why.kind === 'error')
        throw new CliExit(EXIT.error, `the node stopped after an unexpected error: ${errorMessage(why.error)}`);
    });
}
