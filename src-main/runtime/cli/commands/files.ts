/** `hearthnet files add|get|list`: share a file with the community and fetch files neighbours share. */
import type { Command } from 'commander';
import { neutralise } from '../../../common';
import type { FileRow } from '../../api';
import { absolutePath, fileId, nonEmpty } from '../args';
import { cliContext, out } from '../context';
import { apiFailure, connectLocalNode } from '../local-node';
import { runOp } from '../op-runner';
import { formatBytes, ProgressBar } from '../progress';

function filesTable(rows: readonly FileRow[]): string {
  if (rows.length === 0) return 'No files yet. Share one with `hearthnet files add <path>`.';
  return rows
    .map((r) => {
      // Every household that holds it: this one first, then the neighbours that offer it.
      const others = r.holders.map((h) => neutralise(h.name)).join(', ');
      const where = r.local ? `here${r.pinned ? ' (kept)' : ''}${others ? `, also at ${others}` : ''}` : `at ${others}`;
      return `${neutralise(r.filename ?? '(no name)').padEnd(28)} ${(r.size_bytes === null ? '?' : formatBytes(r.size_bytes)).padStart(9)}  ${where}\n    ${r.cid}`;
    })
    .join('\n');
}

export function registerFiles(program: Command): void {
  const files = program.command('files').description('share files with your neighbours and fetch theirs');

  files
    .command('add')
    .description('add a file to this node and offer it to the community (prints its id)')
    .argument('<path>', 'the file to share')
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { json?: boolean }, cmd: Command) => {
      const full = absolutePath(nonEmpty(path, 'the path'));
      const { api } = connectLocalNode(cliContext(cmd).config);
      const added = await api.filesAdd.mutate({ path: full }).catch(apiFailure);
      out(!!opts.json, added, () => added.cid);
      if (!opts.json)
        process.stderr.write(
          `Shared "${added.filename}" (${formatBytes(added.size_bytes)}, ${added.chunks} piece${added.chunks === 1 ? '' : 's'}). Neighbours fetch it with: hearthnet files get ${added.cid}\n`,
        );
    });

  files
    .command('get')
    .description('fetch a file from whichever neighbours have it')
    .argument('<cid>', 'the file id (blake3:...)')
    .option('-o, --out <path>', 'where to save it (a file name, or a folder; default: this folder)', '.')
    .option('--json', 'machine-readable output')
    .action(async (cid: string, opts: { out: string; json?: boolean }, cmd: Command) => {
      const id = fileId(cid);
      const { info } = connectLocalNode(cliContext(cmd).config);
      const bar = new ProgressBar({ label: 'Downloading', bytes: true });
      const done = await runOp(
        info,
        'files.get',
        { cid: id, out: absolutePath(opts.out) },
        {
          bar,
          onProgress: (p) => bar.update(Number(p.bytes), Number(p.total_bytes)),
        },
      );
      out(!!opts.json, done, () => `Saved ${String(done.path)} (${formatBytes(Number(done.size_bytes))}).`);
    });

  files
    .command('list')
    .description('files on this node and files neighbours offer')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.filesList.query().catch(apiFailure);
      out(!!opts.json, rows, () => filesTable(rows));
    });
}
