/**
 * `hearthnet export --out FILE` (a restorable backup: identity, settings, event log, pinned files'
 * metadata) and `hearthnet erase [--keep-keys] --yes`. Restoring is `hearthnet init --restore FILE`.
 */
import { chmodSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildBackup, encodeBackup, erasePlan, runErase, summarise } from '../../backup';
import { nodeFiles } from '../../config/node-paths';
import { readRuntimeFile } from '../../config/runtime-file';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';

export function registerBackup(program: Command): void {
  program
    .command('export')
    .description(
      "write a backup of this household's identity, settings, event log and pinned files' list (it holds your private key: keep it safe)",
    )
    .requiredOption('--out <file>', 'where to write the backup (e.g. hearthnet-backup.hnbackup)')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'machine-readable output')
    .action((opts: { out: string; force?: boolean; json?: boolean }, cmd: Command) => {
      const { config } = cliContext(cmd);
      const target = resolve(opts.out);
      if (existsSync(target) && !opts.force)
        throw new CliExit(EXIT.usage, `${target} exists; pass --force to replace it`);
      let backup;
      try {
        backup = buildBackup(config);
      } catch (err) {
        throw new CliExit(
          EXIT.error,
          `nothing to back up here: ${(err as Error).message} (run \`hearthnet init\` first)`,
        );
      }
      const bytes = encodeBackup(backup);
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, target);
      const summary = { ...summarise(backup, bytes.length), file: target };
      out(!!opts.json, summary, () =>
        [
          `Backup written to ${target} (${(bytes.length / 1024).toFixed(1)} KiB).`,
          `  identity: ${backup.node_id.slice(0, 16)}…`,
          `  events:   ${summary.events}`,
          `  pinned:   ${summary.pinned_files} file(s) (their list and details; the contents come back from your neighbours)`,
          '',
          'It contains your private key: keep it somewhere only you can read.',
          `Restore on a new computer with: hearthnet init --restore ${target}`,
        ].join('\n'),
      );
    });

  program
    .command('erase')
    .description(
      'delete everything HearthNet keeps on this computer: settings, messages and event log, files, indexes, models, logs (and the identity, unless --keep-keys)',
    )
    .option('--keep-keys', "keep this household's identity, so it can rejoin as itself")
    .option('--yes', 'really erase (without it nothing is deleted)')
    .option('--json', 'machine-readable output')
    .action((opts: { keepKeys?: boolean; yes?: boolean; json?: boolean }, cmd: Command) => {
      const { config, configFile, env } = cliContext(cmd);
      if (readRuntimeFile(nodeFiles(config).runtime))
        throw new CliExit(
          EXIT.error,
          'a HearthNet node is running from this folder; stop it (or quit the app) before erasing',
        );
      let plan;
      try {
        plan = erasePlan(config, configFile, env, !!opts.keepKeys);
      } catch (err) {
        throw new CliExit(EXIT.error, (err as Error).message);
      }
      if (!opts.yes) {
        const list = plan.remove.length
          ? plan.remove.map((p) => `  ${p}`).join('\n')
          : '  (nothing: HearthNet keeps no data here)';
        throw new CliExit(
          EXIT.usage,
          `erase deletes, for good:\n${list}\nRun again with --yes to do it${opts.keepKeys ? '' : ' (add --keep-keys to keep your identity)'}. Make a backup first with \`hearthnet export --out FILE\`.`,
        );
      }
      const removed = runErase(plan, env);
      out(!!opts.json, { removed, kept: plan.keep }, () =>
        [
          removed.length ? `Erased:\n${removed.map((p) => `  ${p}`).join('\n')}` : 'Nothing to erase.',
          ...(plan.keep.length
            ? [`Kept your identity in ${dirname(plan.keep[0])}/${plan.keep[0].split(/[\\/]/).pop()}`]
            : []),
        ].join('\n'),
      );
    });
}
