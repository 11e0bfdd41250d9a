/** `hearthnet models list|add|pull|share|get`: the GGUF model files this node runs, and sharing them with neighbours. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { MeshModel, ModelRow } from '../../api';
import { localTime, table } from '../format';
import { absolutePath, fileId, nonEmpty } from '../args';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { apiFailure, connectLocalNode } from '../local-node';
import { runOp } from '../op-runner';
import { formatBytes, ProgressBar } from '../progress';

function modelsTable(rows: readonly ModelRow[], mesh: readonly MeshModel[]): string {
  const here = rows.length
    ? table(
        ['MODEL', 'SIZE', 'KIND', 'CONTEXT', 'ADDED', 'FILE'],
        rows.map((m) => [
          m.name,
          formatBytes(m.size_bytes),
          m.architecture ?? '?',
          m.context_length ? String(m.context_length) : '?',
          localTime(m.modified),
          m.path,
        ]),
      )
    : 'No models on this computer yet. Add one with `hearthnet models add <file.gguf>` or `hearthnet models pull <url>`.';
  const others = mesh.filter((m) => m.households.some((h) => !h.is_local));
  const street = others.length
    ? table(
        ['MODEL', 'KIND', 'OFFERED BY', 'COPY WITH'],
        others.map((m) => [
          m.model,
          m.kind,
          m.households
            .filter((h) => !h.is_local)
            .map((h) => h.name)
            .join(', '),
          m.shared_cid ? `hearthnet models get ${m.shared_cid}` : '—',
        ]),
      )
    : 'No neighbour offers a model right now.';
  return `On this computer:\n${here}\n\nOffered by neighbours:\n${street}`;
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('language model files (GGUF) on this node');

  models
    .command('list')
    .description('model files in the models folder, and the models neighbours offer')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.modelsList.query().catch(apiFailure);
      const mesh = await api.meshModels.query({}).catch(() => [] as MeshModel[]);
      out(!!opts.json, opts.json ? { local: rows, mesh } : rows, () => modelsTable(rows, mesh));
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
    .command('add-embedding')
    .description('add an embedding model folder (ONNX + tokenizer, or Model2Vec) so documents are searched by meaning')
    .argument('<folder>', 'the model folder, e.g. ./bge-small-en-v1.5')
    .option('--use', "make it this node's embedding model (saved in the config; applies at the next start)")
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { use?: boolean; json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const m = await api.embeddingAdd
        .mutate({ path: absolutePath(nonEmpty(path, 'the folder')), use: !!opts.use })
        .catch(apiFailure);
      out(
        !!opts.json,
        m,
        () =>
          `Added the embedding model ${m.name} to ${m.path}.${m.in_use ? " It is now this node's embedding model: restart the node (hearthnet run) to use it, then `hearthnet rag reindex --corpus <name> --embedding-model " + m.name + '` to search existing documents by meaning.' : ` To use it: hearthnet models add-embedding --use, or set [embedding] model = "${m.name}".`}`,
      );
    });

  models
    .command('pull')
    .description('download a GGUF file into the models folder (resumes an interrupted download)')
    .argument('<url>', 'http(s) address of the .gguf file')
    .option('--sha256 <hex>', 'expected SHA-256; the download is refused if it differs')
    .option('--json', 'machine-readable output')
    .action(async (url: string, opts: { sha256?: string; json?: boolean }, cmd: Command) => {
      if (!/^https?:\/\//i.test(url)) throw new CliExit(EXIT.usage, `"${url}" is not an http(s) address`);
      if (opts.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.sha256))
        throw new CliExit(EXIT.usage, '--sha256 must be 64 hexadecimal characters');
      const { info } = connectLocalNode(cliContext(cmd).config);
      const bar = new ProgressBar({ label: 'Downloading', bytes: true });
      const m = await runOp(
        info,
        'models.pull',
        { url, sha256: opts.sha256 },
        {
          bar,
          onProgress: (p) =>
            bar.update(Number(p.received_bytes), p.total_bytes === null ? null : Number(p.total_bytes)),
        },
      );
      out(
        !!opts.json,
        m,
        () => `Downloaded ${String(m.name)} (${formatBytes(Number(m.size_bytes))}) into the models folder.`,
      );
    });

  models
    .command('share')
    .description('offer a model file to your neighbours (they fetch it with `models get`, even without internet)')
    .argument('<name>', 'the model name from `hearthnet models list`')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const shared = await api.modelsShare.mutate({ name: nonEmpty(name, 'the model name') }).catch(apiFailure);
      out(
        !!opts.json,
        shared,
        () =>
          `Shared ${shared.name} (${formatBytes(shared.size_bytes)}). Neighbours get it with: hearthnet models get ${shared.cid}`,
      );
    });

  models
    .command('get')
    .description('fetch a model a neighbour shared, add it to the models folder and serve it')
    .argument('<cid>', 'the id printed by `models share` (blake3:...)')
    .option('--json', 'machine-readable output')
    .action(async (cid: string, opts: { json?: boolean }, cmd: Command) => {
      const id = fileId(cid, 'the model id');
      const { config } = cliContext(cmd);
      const { info, api } = connectLocalNode(config);
      const staging = mkdtempSync(join(tmpdir(), 'hearthnet-model-'));
      try {
        const bar = new ProgressBar({ label: 'Fetching model', bytes: true });
        const got = await runOp(
          info,
          'files.get',
          { cid: id, out: staging },
          { bar, onProgress: (p) => bar.update(Number(p.bytes), Number(p.total_bytes)) },
        );
        const m = await api.modelsAdd.mutate({ path: String(got.path) }).catch(apiFailure);
        out(
          !!opts.json,
          m,
          () => `Added ${m.name} (${formatBytes(m.size_bytes)}); this node now offers it to the street.`,
        );
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    });
}
