/** `hearthnet files add|get|list`: share a file with the community and fetch files neighbours share. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { neutralise } from '../../../common';
import type { FileRow } from '../../api';
import { absolutePath, fileId, nonEmpty } from '../args';
import { cliContext, out } from '../context';
import { apiFailure, connectLocalNode } from '../local-node';
import { CliExit, EXIT } from '../exit-codes';
import { runOp } from '../op-runner';
import { formatBytes, ProgressBar } from '../progress';

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A path to share: the file itself, or every regular file directly in a folder (sorted). */
function filesAt(path: string): string[] {
  if (!isFolder(path)) return [path];
  const names = readdirSync(path, { withFileTypes: true }).filter((d) => d.isFile());
  if (!names.length) throw new CliExit(EXIT.usage, `The folder ${path} has no files to share.`);
  return names.map((d) => join(path, d.name)).sort();
}

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
    .description('add files to this node and offer them to the community (prints their ids)')
    .argument('<paths...>', 'the files to share (a folder: every file directly in it)')
    .option('--json', 'machine-readable output')
    .action(async (paths: string[], opts: { json?: boolean }, cmd: Command) => {
      const all = paths.flatMap((p) => filesAt(absolutePath(nonEmpty(p, 'the path'))));
      const { api } = connectLocalNode(cliContext(cmd).config);
      const added: Awaited<ReturnType<typeof api.filesAdd.mutate>>[] = [];
      for (const full of all) added.push(await api.filesAdd.mutate({ path: full }).catch(apiFailure));
      if (all.length === 1 && paths.length === 1 && !isFolder(absolutePath(paths[0]))) {
        const one = added[0];
        out(!!opts.json, one, () => one.cid);
        if (!opts.json)
          process.stderr.write(
            `Shared "${one.filename}" (${formatBytes(one.size_bytes)}, ${one.chunks} piece${one.chunks === 1 ? '' : 's'}). Neighbours fetch it with: hearthnet files get ${one.cid}\n`,
          );
        return;
      }
      out(!!opts.json, added, () => added.map((a) => `${a.cid}  ${neutralise(a.filename)}`).join('\n'));
      if (!opts.json)
        process.stderr.write(
          `Shared ${added.length} file${added.length === 1 ? '' : 's'}. Neighbours fetch them with: hearthnet files get <id>... --out <folder>\n`,
        );
    });

  files
    .command('get')
    .description('fetch files from whichever neighbours have them')
    .argument('<cids...>', 'the file ids (blake3:...)')
    .option(
      '-o, --out <path>',
      'where to save (a file name, or a folder; several files: a folder; default: this folder)',
      '.',
    )
    .option('--json', 'machine-readable output')
    .action(async (cids: string[], opts: { out: string; json?: boolean }, cmd: Command) => {
      const ids = cids.map((c) => fileId(c));
      const target = absolutePath(opts.out);
      if (ids.length > 1 && !isFolder(target))
        throw new CliExit(EXIT.usage, `--out must be an existing folder when fetching several files (${target}).`);
      const { info } = connectLocalNode(cliContext(cmd).config);
      const saved: Record<string, unknown>[] = [];
      for (const id of ids) {
        const bar = new ProgressBar({
          label: ids.length > 1 ? `Downloading ${id.slice(7, 19)}` : 'Downloading',
          bytes: true,
        });
        saved.push(
          await runOp(
            info,
            'files.get',
            { cid: id, out: target },
            {
              bar,
              onProgress: (p) => bar.update(Number(p.bytes), Number(p.total_bytes)),
            },
          ),
        );
      }
      const line = (d: (typeof saved)[number]) => `Saved ${String(d.path)} (${formatBytes(Number(d.size_bytes))}).`;
      if (saved.length === 1) out(!!opts.json, saved[0], () => line(saved[0]));
      else out(!!opts.json, saved, () => saved.map(line).join('\n'));
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
