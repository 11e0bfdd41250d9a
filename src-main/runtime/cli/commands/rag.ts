/** `hearthnet rag list|ingest|reindex` and `hearthnet ask`: shared documents and questions answered from them. */
import type { Command } from 'commander';
import type { CorpusRow, MeshCollection } from '../../api';
import { fieldText, table } from '../format';
import { absolutePath, list, nonEmpty } from '../args';
import { cliContext, out } from '../context';
import { apiFailure, connectLocalNode } from '../local-node';
import { runOp } from '../op-runner';
import { formatBytes, ProgressBar } from '../progress';

const STAGE_LABEL: Record<string, string> = {
  importing: 'Reading file',
  chunking: 'Splitting',
  embedding: 'Embedding',
  storing: 'Indexing',
};

function corporaTable(rows: readonly CorpusRow[], mesh: readonly MeshCollection[]): string {
  const here = rows.length
    ? table(
        ['COLLECTION', 'DOCUMENTS', 'PASSAGES', 'SIZE', 'SEARCH'],
        rows.map((r) => [
          r.corpus,
          String(r.documents),
          String(r.chunks),
          formatBytes(r.size_bytes),
          r.embedding_model ? `by meaning (${r.embedding_model})` : 'keywords only',
        ]),
      )
    : 'No document collections on this computer yet. Add one with `hearthnet rag ingest <file or folder> --corpus <name>`.';
  const others = mesh.filter((c) => c.households.some((h) => !h.is_local));
  const street = others.length
    ? table(
        ['COLLECTION', 'OFFERED BY'],
        others.map((c) => [
          c.corpus,
          c.households
            .filter((h) => !h.is_local)
            .map((h) => h.name)
            .join(', '),
        ]),
      )
    : 'No neighbour offers a document collection right now.';
  return `On this computer:\n${here}\n\nOffered by neighbours (\`hearthnet ask\` searches them too):\n${street}`;
}

/** A bar that follows ingest stages {stage, current, total} (and reindex's document n of N). */
function stageProgress(bar: ProgressBar): (p: Record<string, unknown>) => void {
  return (p) => {
    const stage = STAGE_LABEL[String(p.stage)] ?? String(p.stage);
    const doc = typeof p.document === 'number' ? `Document ${p.document}/${String(p.documents)}: ` : '';
    bar.update(Number(p.current), Number(p.total), `${doc}${stage}`);
  };
}

export function registerRag(program: Command): void {
  const rag = program
    .command('rag')
    .description('shared document collections (corpora) the neighbourhood can ask questions of');

  rag
    .command('list')
    .description('document collections on this node, and those neighbours offer')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.ragList.query().catch(apiFailure);
      const mesh = await api.meshCollections.query().catch(() => [] as MeshCollection[]);
      out(!!opts.json, opts.json ? { local: rows, mesh } : rows, () => corporaTable(rows, mesh));
    });

  rag
    .command('ingest')
    .description('add a document, or every document in a folder (PDF, Markdown, HTML, text), to a collection')
    .argument('<path>', 'the document, or a folder of documents')
    .requiredOption('--corpus <name>', 'the collection, e.g. first-aid')
    .option('--title <title>', 'title shown in citations (default: the file name)')
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { corpus: string; title?: string; json?: boolean }, cmd: Command) => {
      const { info } = connectLocalNode(cliContext(cmd).config);
      const bar = new ProgressBar({ label: 'Reading file' });
      const r = await runOp(
        info,
        'rag.ingest',
        {
          path: absolutePath(nonEmpty(path, 'the path')),
          corpus: nonEmpty(opts.corpus, '--corpus'),
          title: opts.title,
        },
        { bar, onProgress: stageProgress(bar) },
      );
      out(!!opts.json, r, () =>
        typeof r.folder === 'string'
          ? `Added ${String(r.added)} of ${String(r.documents)} document(s) from ${r.folder} to "${String(r.corpus)}": ${String(r.chunks_indexed)} passages${r.mode === 'lexical' ? ' (keyword search only)' : ''}.${(r.notices as string[]).length ? `\n${(r.notices as string[]).join('\n')}` : ''}`
          : r.already_ingested
            ? `"${String(r.title)}" is already in "${String(r.corpus)}"; nothing to do.`
            : `Added "${String(r.title)}" to "${String(r.corpus)}": ${String(r.chunks_indexed)} passages${r.mode === 'lexical' ? ' (keyword search only)' : ''}.${r.notice ? `\n${fieldText(r.notice)}` : ''}`,
      );
    });

  rag
    .command('reindex')
    .description('index every document of a collection again')
    .requiredOption('--corpus <name>', 'the collection')
    .option('--embedding-model <model>', 'embed with this model (collections indexed by keywords only can switch)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { corpus: string; embeddingModel?: string; json?: boolean }, cmd: Command) => {
      const { info } = connectLocalNode(cliContext(cmd).config);
      const bar = new ProgressBar({ label: 'Reindexing' });
      const r = await runOp(
        info,
        'rag.reindex',
        { corpus: nonEmpty(opts.corpus, '--corpus'), embedding_model: opts.embeddingModel },
        { bar, onProgress: stageProgress(bar) },
      );
      const notices = (r.notices as string[] | undefined) ?? [];
      out(
        !!opts.json,
        r,
        () =>
          `Reindexed ${String(r.documents)} document(s) of "${String(r.corpus)}": ${String(r.chunks_indexed)} passages, ${fieldText(r.embedding_model ?? 'keyword search only')}.${notices.length ? `\n${notices.join('\n')}` : ''}`,
      );
    });

  program
    .command('ask')
    .description('ask the neighbourhood: an answer from the shared documents, with sources')
    .argument('<question...>', 'your question')
    .option('--corpus <name>', 'only these collections (repeat or comma-separate)', list)
    .option('--model <model>', 'the language model to answer with')
    .option('--json', 'machine-readable output')
    .action(async (words: string[], opts: { corpus?: string[]; model?: string; json?: boolean }, cmd: Command) => {
      const question = nonEmpty(words.join(' '), 'the question');
      const { info } = connectLocalNode(cliContext(cmd).config);
      let answer = '';
      const done = await runOp(
        info,
        'ask',
        { question, corpora: opts.corpus, model: opts.model },
        {
          onFrame: (event, data) => {
            if (event !== 'token' || typeof data.text !== 'string') return;
            answer += data.text;
            if (!opts.json) process.stdout.write(data.text);
          },
        },
      );
      const citations =
        (done.citations as
          | Array<{ n: number; title: string; page: number | null; section: string | null; corpus: string }>
          | undefined) ?? [];
      if (opts.json) {
        out(true, { answer, ...done }, () => '');
        return;
      }
      const lines = [''];
      if (done.notice && done.answered_by === 'llm') lines.push('', fieldText(done.notice));
      if (citations.length) {
        lines.push('', 'Sources:');
        for (const c of citations)
          lines.push(
            `  [${c.n}] ${c.title}${c.page !== null ? `, p. ${c.page}` : c.section ? `, ${c.section}` : ''}  (${c.corpus})`,
          );
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
