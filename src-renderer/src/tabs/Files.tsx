/**
 * Files: add from this device (drag and drop or the picker; uploaded to the node, which shares
 * it with the street), the street's files with who holds them, download with progress (fetched
 * from whichever household holds it, then saved to this device), and sharing a downloaded file
 * onward so this household serves it too.
 */
import { createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import type { FetchedFile, FetchProgress, FileRow } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { Button } from '../ui/Button';
import { plainError } from '../ui/errors';
import { Details, Empty, LoadedList } from '../ui/states';
import { humanBytes } from '../ui/time';
import { saveToDevice, uploadToNode } from './http-bytes';
import { createJobRunner, JobStatus } from './JobProgress';
import { runOp, type RunningOp } from './op-stream';
import './household-tabs.css';

const REFRESH_MS = 4_000;

/** "Shared by alice and bob", "On this computer and with carol". */
function holdersText(f: FileRow): string {
  const names = f.holders.map((h) => h.name);
  const list = names.length <= 2 ? names.join(' and ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
  if (f.local) return names.length ? `On this computer; also held by ${list}` : 'On this computer';
  return names.length ? `Held by ${list}` : 'No household holding it is reachable right now';
}

export default function Files(): JSX.Element {
  const [files, { refetch }] = createResource(() => trpc.filesList.query());
  const timer = setInterval(() => void refetch(), REFRESH_MS);
  onCleanup(() => clearInterval(timer));
  const uploads = createJobRunner();
  const { job: upload, setJob: setUpload } = uploads;
  const [dragging, setDragging] = createSignal(false);
  let picker: HTMLInputElement | undefined;

  // One run for the whole list: each file's note shows while the next one goes; the first failure ends it.
  const addFiles = async (list: FileList | File[]) => {
    await uploads.run(async () => {
      let added = '';
      for (const file of Array.from(list)) {
        const ac = new AbortController();
        setUpload({
          label: `Sending ${file.name} to your HearthNet…`,
          value: 0,
          max: file.size || 1,
          cancel: () => ac.abort(),
        });
        const up = await uploadToNode(
          file,
          (t) =>
            setUpload({
              label: `Sending ${file.name} to your HearthNet… ${humanBytes(t.done)} of ${humanBytes(t.total)}`,
              value: t.done,
              max: t.total || 1,
              cancel: () => ac.abort(),
            }),
          ac.signal,
        );
        setUpload({ label: `Sharing ${file.name} with your street…`, value: null, max: 1 });
        const f = await trpc.filesAdd.mutate({ upload_id: up.upload_id });
        added = `${f.filename} is shared with your street.`;
        uploads.setNote(added);
      }
      return added;
    });
    void refetch();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer?.files.length) void addFiles(e.dataTransfer.files);
  };

  return (
    <div class="tab-b files-tab">
      <section
        class="card dropzone"
        classList={{ 'dropzone-over': dragging() }}
        aria-labelledby="files-add"
        onDragOver={(e) => (e.preventDefault(), setDragging(true))}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <h2 id="files-add">Share a file</h2>
        <p>Drop files here, or choose them. Your neighbours can then download them, even without the internet.</p>
        <input
          ref={picker}
          id="files-picker"
          class="visually-hidden"
          type="file"
          multiple
          tabIndex={-1}
          aria-label="Files to share"
          onChange={(e) => e.currentTarget.files && void addFiles(e.currentTarget.files)}
        />
        <Button variant="primary" onClick={() => picker?.click()} disabled={!!upload()}>
          Choose files to share
        </Button>
        <JobStatus jobs={uploads} />
      </section>

      <section class="card" aria-labelledby="files-street">
        <h2 id="files-street">Your street’s files</h2>
        <LoadedList
          resource={files}
          retry={() => void refetch()}
          loading="Looking for your street’s files…"
          empty={<Empty title="No files shared yet.">Share one above: a recipe, a map, the street’s phone list.</Empty>}
        >
          {(list) => (
            <ul class="file-list">
              {/* Keyed by file id: a refreshed list must not reset a download in progress. */}
              <For each={list().map((f) => f.cid)}>
                {(cid) => (
                  <Show when={list().find((f) => f.cid === cid)}>
                    {(file) => <FileItem file={file()} changed={() => void refetch()} />}
                  </Show>
                )}
              </For>
            </ul>
          )}
        </LoadedList>
      </section>
    </div>
  );
}

function FileItem(props: { file: FileRow; changed: () => void }): JSX.Element {
  const f = () => props.file;
  const name = () => f().filename ?? 'A file without a name';
  const jobs = createJobRunner();
  const { job, setJob } = jobs;
  let running: RunningOp<FetchedFile> | null = null;
  onCleanup(() => running?.cancel());

  const download = () =>
    jobs.run(async () => {
      if (!f().local) {
        setJob({ label: `Getting ${name()} from your neighbours…`, value: null, max: 1 });
        running = runOp<FetchProgress, FetchedFile>(
          (h) => trpc.filesFetch.subscribe({ cid: f().cid }, h),
          (p) =>
            setJob({
              label: `Getting ${name()} from your neighbours… ${humanBytes(p.bytes)} of ${humanBytes(p.total_bytes)}`,
              value: p.bytes,
              max: p.total_bytes || 1,
              cancel: () => running?.cancel(),
            }),
        );
        await running.result;
        running = null;
        props.changed();
      }
      const ac = new AbortController();
      setJob({
        label: `Saving ${name()} to this device…`,
        value: 0,
        max: f().size_bytes || 1,
        cancel: () => ac.abort(),
      });
      await saveToDevice(
        f().cid,
        name(),
        (t) =>
          setJob({
            label: `Saving ${name()} to this device… ${humanBytes(t.done)} of ${humanBytes(t.total)}`,
            value: t.done,
            max: t.total || 1,
            cancel: () => ac.abort(),
          }),
        ac.signal,
      );
      return `Saved ${name()} to this device’s downloads.`;
    });

  const share = async () => {
    jobs.setError(null);
    try {
      await trpc.filesShare.mutate({ cid: f().cid });
      jobs.setNote(`Your household now shares ${name()} with the street too.`);
      props.changed();
    } catch (err) {
      jobs.setError(plainError(err));
    }
  };

  return (
    <li class="file-item" data-testid="file-item">
      <div class="file-head">
        <span class="file-name">{name()}</span>
        <span class="muted">{humanBytes(f().size_bytes)}</span>
      </div>
      <p class="muted file-holders">{holdersText(f())}</p>
      <div class="row">
        <Button variant="primary" onClick={() => void download()} disabled={!!job()} aria-label={`Download ${name()}`}>
          Download
        </Button>
        <Show when={f().local && !f().pinned}>
          <Button onClick={() => void share()} disabled={!!job()} aria-label={`Share with the street: ${name()}`}>
            Share with the street
          </Button>
        </Show>
        <Show when={f().local && f().pinned}>
          <span class="muted shared-note">Your household shares this</span>
        </Show>
      </div>
      <JobStatus jobs={jobs} retry={() => void download()} />
      <Details>
        File id: <code>{f().cid}</code>
        {f().mime_type ? <> · type {f().mime_type}</> : null}
      </Details>
    </li>
  );
}
