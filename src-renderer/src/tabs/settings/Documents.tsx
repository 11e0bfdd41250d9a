/**
 * Settings › Documents: the collections this household offers to Ask (a folder of documents each),
 * adding a folder, re-reading a collection with another search model, and adding a search
 * (embedding) model. Reading documents shows its progress per document and can be cancelled.
 */
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import type { IngestDone, IngestProgress } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { SelectField, TextField } from '../../ui/Field';
import { Empty, LoadedList } from '../../ui/states';
import { humanBytes } from '../../ui/time';
import { createJobRunner, JobStatus, type Job } from '../JobProgress';
import { runOp } from '../op-stream';

const STAGE: Record<string, string> = {
  importing: 'Copying',
  chunking: 'Reading',
  embedding: 'Understanding',
  storing: 'Saving',
};

function ingestJob(p: IngestProgress, cancel: () => void): Job {
  const doc =
    p.documents && p.documents > 1
      ? ` (document ${p.document ?? 1} of ${p.documents}${p.title ? `: ${p.title}` : ''})`
      : p.title
        ? ` (${p.title})`
        : '';
  return {
    label: `${STAGE[p.stage] ?? 'Working on'} your documents${doc}…`,
    value: p.total > 0 ? p.current : null,
    max: p.total || 1,
    cancel,
  };
}
const isAbsolute = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);

export function DocumentsSection(): JSX.Element {
  const [corpora, { refetch }] = createResource(() => trpc.ragList.query());
  const [embedders, { refetch: refetchEmbedders }] = createResource(() => trpc.embeddingModels.query());
  const jobs = createJobRunner(() => {
    void refetch();
    void refetchEmbedders();
  });
  const { job, setJob } = jobs;
  const [name, setName] = createSignal('');
  const [folder, setFolder] = createSignal('');
  const [formError, setFormError] = createSignal<{ name?: string; folder?: string }>({});
  const [embedder, setEmbedder] = createSignal('');
  const [embedPath, setEmbedPath] = createSignal('');
  const [embedPathError, setEmbedPathError] = createSignal<string | null>(null);

  const work = jobs.run;
  const done = (r: IngestDone) =>
    `${r.corpus}: ${r.documents} document${r.documents === 1 ? '' : 's'} ready for Ask.${r.notices.length ? ` ${r.notices.join(' ')}` : ''}`;

  const addFolder = (e: Event) => {
    e.preventDefault();
    const errs: { name?: string; folder?: string } = {};
    if (!name().trim()) errs.name = 'Give the collection a short name, for example “first-aid”.';
    if (!isAbsolute(folder().trim()))
      errs.folder =
        'Give the full path of the folder on the computer running HearthNet, for example /home/anna/Documents/first-aid.';
    setFormError(errs);
    if (errs.name || errs.folder) return;
    void work(async () => {
      const op = runOp<IngestProgress, IngestDone>(
        (h) => trpc.ragIngest.subscribe({ corpus: name().trim(), path: folder().trim() }, h),
        (p) => setJob(ingestJob(p, op.cancel)),
      );
      setJob({ label: 'Opening the folder…', value: null, max: 1, cancel: op.cancel });
      const r = await op.result;
      setName('');
      setFolder('');
      return done(r);
    });
  };
  const reindex = (corpus: string) =>
    work(async () => {
      const op = runOp<IngestProgress, IngestDone>(
        (h) => trpc.ragReindex.subscribe({ corpus, embedding_model: embedder() || undefined }, h),
        (p) => setJob(ingestJob(p, op.cancel)),
      );
      setJob({ label: `Reading ${corpus} again…`, value: null, max: 1, cancel: op.cancel });
      return done(await op.result);
    });
  const addEmbedder = (e: Event) => {
    e.preventDefault();
    if (!isAbsolute(embedPath().trim()))
      return setEmbedPathError('Give the full path of the search model’s folder on the computer running HearthNet.');
    setEmbedPathError(null);
    void work(async () => {
      setJob({ label: 'Checking the search model…', value: null, max: 1 });
      const m = await trpc.embeddingAdd.mutate({ path: embedPath().trim(), use: true });
      setEmbedPath('');
      return `${m.name} is added and used for new documents. Re-read a collection to use it there too.`;
    });
  };

  return (
    <section class="card" aria-labelledby="set-docs">
      <h2 id="set-docs">Documents</h2>
      <p>
        Folders of documents your street can ask about (a first-aid guide, the building’s manuals). Ask quotes the
        passage it used.
      </p>
      <LoadedList
        resource={corpora}
        retry={() => void refetch()}
        loading="Looking at your documents…"
        empty={
          <Empty title="No documents yet.">
            Add a folder below; its documents become searchable by the whole street.
          </Empty>
        }
      >
        {(list) => (
          <ul class="member-list">
            <For each={list()}>
              {(c) => (
                <li class="member-item">
                  <span>
                    <strong>{c.corpus}</strong>{' '}
                    <span class="muted">
                      — {c.documents} document{c.documents === 1 ? '' : 's'}, {humanBytes(c.size_bytes)}
                      {c.embedding_model ? `, searched with ${c.embedding_model}` : ', searched by words'}
                    </span>
                  </span>
                  <Button
                    onClick={() => void reindex(c.corpus)}
                    disabled={!!job()}
                    aria-label={`Read again: ${c.corpus}`}
                  >
                    Read again
                  </Button>
                </li>
              )}
            </For>
          </ul>
        )}
      </LoadedList>
      <form class="settings-grid" onSubmit={addFolder}>
        <h3>Add a folder</h3>
        <TextField
          label="Collection name"
          hint="Short, for example “first-aid”."
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          error={formError().name}
          maxLength={64}
        />
        <TextField
          label="Folder on the computer running HearthNet"
          hint="The full path, for example /home/anna/Documents/first-aid."
          value={folder()}
          onInput={(e) => setFolder(e.currentTarget.value)}
          error={formError().folder}
        />
        <div class="row">
          <Button type="submit" variant="primary" disabled={!!job()}>
            Add the folder
          </Button>
        </div>
      </form>
      <JobStatus jobs={jobs} />
      <h3>Search model</h3>
      <p class="muted">
        A search model finds passages by meaning, not only by the exact words. Without one, HearthNet searches by words.
      </p>
      <Show when={(embedders() ?? []).length > 0}>
        <SelectField
          label="Search model used when reading documents again"
          choices={[
            { value: '', label: 'The one in use now' },
            ...(embedders() ?? []).map((m) => ({ value: m.name, label: `${m.name}${m.in_use ? ' (in use)' : ''}` })),
          ]}
          value={embedder()}
          onChange={(e) => setEmbedder(e.currentTarget.value)}
        />
      </Show>
      <form class="settings-grid" onSubmit={addEmbedder}>
        <TextField
          label="Add a search model (its folder on the computer running HearthNet)"
          hint="A Model2Vec or ONNX model folder."
          value={embedPath()}
          onInput={(e) => setEmbedPath(e.currentTarget.value)}
          error={embedPathError()}
        />
        <div class="row">
          <Button type="submit" disabled={!!job()}>
            Add the search model
          </Button>
        </div>
      </form>
    </section>
  );
}
