/** `hearthnet models list|add|pull|share|get`: the GGUF model files this node runs, and sharing them with neighbours. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ModelRow } from '../../api';
import { absolutePath, fileId, nonEmpty } from '../args';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { apiFailure, connectLocalNode } from '../local-node';
import { runOp } from '../op-runner';
import { formatBytes, ProgressBar } from '../progress';

function modelsTable(rows: readonly ModelRow[]): string {
  if (rows.length === 0) return 'No models yet. Add one with `hearthnet models add <file.gguf>` or `hearthnet models pull <url>`.';
  return rows
    .map((m) => `${m.name.padEnd(32)} ${formatBytes(m.size_bytes).padStart(9)}  ${m.architecture ?? '?'}${m.context_length ? `, ${m.context_length} ctx` : ''}\n    ${m.path}`)
    .join('\n');
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('language model files (GGUF) on this node');

  models
    .command('list')
    .description('model files in the models folder')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.modelsList.query().catch(apiFailure);
      out(!!opts.json, rows, () => modelsTable(rows));
    });

  models
    .command('add')
    .description('copy a GGUF file into the models folder')
    .argument('<file.gguf>', 'the model file')
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const m = await api.modelsAdd.mutate({ path: absolutePath(nonEmpty(path, 'the path')) }).catch(apiFailure);
      out(!!opts.json, m, () => `Added ${m.name} (${formatBytes(m.size_bytes)}) to the models folder.`);
    });

  models
    .command('pull')
    .description('download a GGUF file into the models folder (resumes an interrupted download)')
    .argument('<url>', 'http(s) address of the .gguf file')
    .option('--sha256 <hex>', 'expected SHA-256; the download is refused if it differs')
    .option('--json', 'machine-readable output')
    .action(async (url: string, opts: { sha256?: string; json?: boolean }, cmd: Command) => {
      if (!/^https?:\/\//i.test(url)) throw new CliExit(EXIT.usage, `"${url}" is not an http(s) address`);
      if (opts.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.sha256)) throw new CliExit(EXIT.usage, '--sha256 must be 64 hexadecimal characters');
      const { info } = connectLocalNode(cliContext(cmd).config);
      const bar = new ProgressBar({ label: 'Downloading', bytes: true });
      const m = await runOp(info, 'models.pull', { url, sha256: opts.sha256 }, { bar, onProgress: (p) => bar.update(Number(p.received_bytes), p.total_bytes === null ? null : Number(p.total_bytes)) });
      out(!!opts.json, m, () => `Downloaded ${String(m.name)} (${formatBytes(Number(m.size_bytes))}) into the models folder.`);
    });

  models
    .command('share')
    .description('offer a model file to your neighbours (they fetch it with `models get`, even without internet)')
    .argument('<name>', 'the model name from `hearthnet models list`')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const shared = await api.modelsShare.mutate({ name: nonEmpty(name, 'the model name') }).catch(apiFailure);
      out(!!opts.json, shared, () => `Shared ${shared.name} (${formatBytes(shared.size_bytes)}). Neighbours get it with: hearthnet models get ${shared.cid}`);
    });

  models
    .command('get')
    .description("fetch a model a neighbour shared, add it to the models folder and serve it")
    .argument('<cid>', 'the id printed by `models share` (blake3:...)')
    .option('--json', 'machine-readable output')
    .action(async (cid: string, opts: { json?: boolean }, cmd: Command) => {
      const id = fileId(cid, 'the model id');
      const { config } = cliContext(cmd);
      const { info, api } = connectLocalNode(config);
      const staging = mkdtempSync(join(tmpdir(), 'hearthnet-model-'));
      try {
        const bar = new ProgressBar({ label: 'Fetching model', bytes: true });
        const got = await runOp(info, 'files.get', { cid: id, out: staging }, { bar, onProgress: (p) => bar.update(Number(p.bytes), Number(p.total_bytes)) });
        const m = await api.modelsAdd.mutate({ path: String(got.path) }).catch(apiFailure);
        out(!!opts.json, m, () => `Added ${m.name} (${formatBytes(m.size_bytes)}); this node now offers it to the street.`);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    });
}
