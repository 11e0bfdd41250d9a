/**
 * Settings › Models: the models on this computer, adding one (a file from this device, a web
 * address, or a copy of a neighbour's), sharing one with the street, and the model programs
 * found on this machine. Every download shows its progress and can be cancelled.
 */
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import type { FetchProgress, MeshModel, ModelRow, PullProgress } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { Details, Empty, LoadedList } from '../../ui/states';
import { humanBytes } from '../../ui/time';
import { uploadToNode } from '../http-bytes';
import { createJobRunner, JobStatus } from '../JobProgress';
import { runOp } from '../op-stream';

export function ModelsSection(): JSX.Element {
  const [models, { refetch }] = createResource(() => trpc.modelsList.query());
  const [mesh, { refetch: refetchMesh }] = createResource(() => trpc.meshModels.query({ kind: 'chat' }));
  /** One piece of work at a time with the shared progress line; the lists are refreshed after. */
  const jobs = createJobRunner(() => {
    void refetch();
    void refetchMesh();
  });
  const { job, setJob } = jobs;
  const [url, setUrl] = createSignal('');
  const [urlError, setUrlError] = createSignal<string | null>(null);
  let picker: HTMLInputElement | undefined;

  const work = jobs.run;
  const addFile = (file: File) =>
    work(async () => {
      if (!file.name.toLowerCase().endsWith('.gguf'))
        throw new Error('HearthNet runs model files that end in “.gguf”. Choose one of those; nothing was added.');
      const ac = new AbortController();
      const up = await uploadToNode(
        file,
        (t) =>
          setJob({
            label: `Copying ${file.name} to HearthNet… ${humanBytes(t.done)} of ${humanBytes(t.total)}`,
            value: t.done,
            max: t.total || 1,
            cancel: () => ac.abort(),
          }),
        ac.signal,
      );
      setJob({ label: `Checking ${file.name}…`, value: null, max: 1 });
      const m = await trpc.modelsAdd.mutate({ upload_id: up.upload_id });
      return `${m.name} is ready on this computer.`;
    });
  const pull = () => {
    const u = url().trim();
    if (!/^https?:\/\/\S+$/i.test(u))
      return setUrlError('Give the full web address of a .gguf file, starting with https://');
    setUrlError(null);
    return work(async () => {
      const op = runOp<PullProgress, ModelRow>(
        (h) => trpc.modelsPull.subscribe({ url: u }, h),
        (p) =>
          setJob({
            label: `Downloading the model… ${humanBytes(p.received_bytes)}${p.total_bytes ? ` of ${humanBytes(p.total_bytes)}` : ''}`,
            value: p.total_bytes ? p.received_bytes : null,
            max: p.total_bytes ?? 1,
            cancel: op.cancel,
          }),
      );
      setJob({ label: 'Starting the download…', value: null, max: 1, cancel: op.cancel });
      const m = await op.result;
      setUrl('');
      return `${m.name} is ready on this computer.`;
    });
  };
  const copy = (m: MeshModel) =>
    work(async () => {
      const from = m.households
        .filter((h) => !h.is_local)
        .map((h) => h.name)
        .join(' or ');
      const op = runOp<FetchProgress, ModelRow>(
        (h) => trpc.modelsCopy.subscribe({ cid: sharedCid(m) }, h),
        (p) =>
          setJob({
            label: `Copying ${m.model} from ${from}… ${humanBytes(p.bytes)} of ${humanBytes(p.total_bytes)}`,
            value: p.bytes,
            max: p.total_bytes || 1,
            cancel: op.cancel,
          }),
      );
      setJob({ label: `Asking ${from} for ${m.model}…`, value: null, max: 1, cancel: op.cancel });
      const row = await op.result;
      return `${row.name} is now on this computer too.`;
    });
  const share = (m: ModelRow) =>
    work(async () => {
      setJob({ label: `Offering ${m.name} to your neighbours…`, value: null, max: 1 });
      await trpc.modelsShare.mutate({ name: m.name });
      return `Your neighbours can now copy ${m.name} from you.`;
    });
  const local = () => new Set((models() ?? []).map((m) => m.name));
  const neighbours = () => (mesh() ?? []).filter((m) => !local().has(m.model) && m.households.some((h) => !h.is_local));

  return (
    <section class="card" aria-labelledby="set-models">
      <h2 id="set-models">Models</h2>
      <p>
        Models are what answers questions in Ask. A small one is enough for a street; bigger ones answer better but need
        a stronger computer.
      </p>
      <LoadedList
        resource={models}
        retry={() => void refetch()}
        loading="Looking at this computer’s models…"
        empty={
          <Empty title="No model files in HearthNet’s models folder.">
            Add one below, or copy one from a neighbour. Your street can still answer with theirs, and any model program
            listed below keeps working.
          </Empty>
        }
      >
        {(list) => (
          <ul class="member-list">
            <For each={list()}>
              {(m) => (
                <li class="member-item">
                  <span>
                    <strong>{m.name}</strong> <span class="muted">— {humanBytes(m.size_bytes)}</span>
                  </span>
                  <Button
                    onClick={() => void share(m)}
                    disabled={!!job()}
                    aria-label={`Share with neighbours: ${m.name}`}
                  >
                    Share with neighbours
                  </Button>
                </li>
              )}
            </For>
          </ul>
        )}
      </LoadedList>
      <Show when={neighbours().length > 0}>
        <h3>Your neighbours’ models</h3>
        <ul class="member-list">
          <For each={neighbours()}>
            {(m) => (
              <li class="member-item">
                <span>
                  <strong>{m.model}</strong>{' '}
                  <span class="muted">
                    — on{' '}
                    {m.households
                      .filter((h) => !h.is_local)
                      .map((h) => h.name)
                      .join(', ')}
                  </span>
                </span>
                <Show
                  when={m.shared_cid}
                  fallback={<span class="muted">You can use it in Ask; they have not shared the file.</span>}
                >
                  <Button
                    onClick={() => void copy(m)}
                    disabled={!!job()}
                    aria-label={`Copy to this computer: ${m.model}`}
                  >
                    Copy to this computer
                  </Button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <h3>Add a model</h3>
      <input
        ref={picker}
        class="visually-hidden"
        type="file"
        tabIndex={-1}
        accept=".gguf"
        aria-label="Model file (.gguf)"
        onChange={(e) => e.currentTarget.files?.[0] && void addFile(e.currentTarget.files[0])}
      />
      <div class="row">
        <Button onClick={() => picker?.click()} disabled={!!job()}>
          Add a model file (.gguf)
        </Button>
      </div>
      <form class="settings-grid" onSubmit={(e) => (e.preventDefault(), void pull())}>
        <TextField
          label="Or download one from a web address"
          hint="The address of a .gguf file, for example from huggingface.co. Needs the internet."
          type="url"
          value={url()}
          onInput={(e) => setUrl(e.currentTarget.value)}
          error={urlError()}
        />
        <div class="row">
          <Button type="submit" disabled={!!job()}>
            Download
          </Button>
        </div>
      </form>
      <JobStatus jobs={jobs} />
      <Backends />
    </section>
  );
}

const KIND_WORDS: Record<string, string> = {
  gguf: 'HearthNet’s own',
  llama_cpp: 'HearthNet’s own (llama.cpp)',
  llamacpp_server: 'llama.cpp server',
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  vllm: 'vLLM',
  hf_api: 'Hugging Face (needs the internet)',
  anthropic_api: 'Anthropic (needs the internet)',
  nemotron: 'Nemotron',
  openbmb: 'OpenBMB',
};
/** "stories260K" for "/models/stories260K/stories260K.gguf": the name, not the path. */
const modelName = (m: string) => m.split(/[\\/]/).pop() ?? m.replace(/\.gguf$/i, '');

function Backends(): JSX.Element {
  const [rows, { refetch }] = createResource(() => trpc.llmBackends.query());
  return (
    <>
      <h3>Model programs on this computer</h3>
      <LoadedList
        resource={rows}
        retry={() => void refetch()}
        loading="Looking for model programs…"
        empty={
          <p class="muted">None found besides HearthNet’s own. That is fine: HearthNet runs .gguf models by itself.</p>
        }
      >
        {(list) => (
          <ul class="plain-list">
            <For each={list()}>
              {(b) => (
                <li>
                  <strong>{KIND_WORDS[b.kind] ?? b.kind}</strong>{' '}
                  {b.source === 'found' ? '(found on this computer)' : '(set up in settings)'}
                  {b.models.length ? `: ${b.models.map(modelName).join(', ')}` : ''}
                  <Show when={b.url}>
                    <Details>Address: {b.url}</Details>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </LoadedList>
    </>
  );
}

/** The CID a model is shared under (only shared models offer "copy"). */
function sharedCid(m: MeshModel): string {
  if (!m.shared_cid) throw new Error(`${m.model} is not shared by any household`);
  return m.shared_cid;
}
