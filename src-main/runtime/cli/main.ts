/** The `hearthnet` command (§17 of ../shared/spec/hearthnet-reference.md): parses, dispatches, and maps every failure to an exit code. */
import { Command, CommanderError } from 'commander';
import { errorStack, HearthError, neutralise } from '../../common';
import { registerCommands } from './commands';
import { CliExit, EXIT, exitCodeFor } from './exit-codes';

export function buildProgram(): Command {
  const program = new Command('hearthnet')
    .description('HearthNet: a private neighbourhood mesh that keeps working when the internet does not.')
    .option(
      '-c, --config <file>',
      'config file (default: $HEARTHNET_HOME/config.toml or ~/.config/hearthnet/config.toml)',
    )
    .showHelpAfterError('(run `hearthnet --help` for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  // Everything HearthNet writes (keys, logs, the event log with its messages) is for this household only.
  process.umask(0o077);
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const code = exitCodeFor(err);
    const message =
      err instanceof CliExit || err instanceof HearthError ? err.message : `unexpected error: ${errorStack(err)}`;
    // Messages can quote a peer's error or a value typed in a file: inert on a terminal.
    process.stderr.write(`hearthnet: ${neutralise(message, { multiline: true })}\n`);
    if (err instanceof HearthError && 'fix' in err.details)
      process.stderr.write(`  fix: ${neutralise(String(err.details.fix), { multiline: true })}\n`);
    return code;
  }
}
