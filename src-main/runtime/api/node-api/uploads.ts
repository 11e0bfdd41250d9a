/**
 * Bytes between a browser and the node: an upload is streamed to `<data>/uploads/` (never held in
 * memory) and later consumed by filesAdd / modelsAdd / ragIngest by its id; a held file is read
 * back out of the blob store for a download.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ulid } from 'ulidx';
import { CallError } from '../../../common';
import type { FileSource } from '..';
import type { BlobStore } from '../../blobs';

/** An upload not used within this long is deleted. */
export const UPLOAD_MAX_AGE_MS = 3_600_000;
const UPLOAD_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A file name as it may be written in our folder: no folders, no control characters, not empty. */
export function safeFilename(name: string): string {
  const cleaned = basename(name.replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  if (!cleaned || cleaned === '.' || cleaned === '..') throw new CallError('bad_request', 'filename: must name a file');
  return cleaned.slice(0, 255);
}

export class Uploads {
  /**
   * @param dir where uploads arrive (`<data>/uploads`)
   * @param keptDir where an upload that became a shared file stays (`<data>/shared-uploads`): the
   *   blob store keeps a link to an added file's bytes rather than a copy, so the file must live on.
   */
  constructor(
    private readonly dir: string,
    private readonly keptDir: string,
  ) {}

  /** Streams `body` to `<dir>/<id>/<filename>`; a failed or cancelled upload leaves nothing behind. */
  async receive(
    filename: string,
    body: ReadableStream<Uint8Array>,
    signal: AbortSignal,
  ): Promise<{ upload_id: string; filename: string; size_bytes: number }> {
    const name = safeFilename(filename);
    await this.sweep();
    const id = ulid();
    const folder = join(this.dir, id);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, name);
    try {
      await pipeline(
        Readable.fromWeb(body as WebReadableStream<Uint8Array>),
        createWriteStream(path, { mode: 0o600 }),
        { signal },
      );
    } catch (err) {
      await rm(folder, { recursive: true, force: true });
      throw new CallError(
        signal.aborted ? 'cancelled' : 'bad_request',
        `the upload of ${name} did not complete: ${(err as Error).message}`,
      );
    }
    return { upload_id: id, filename: name, size_bytes: (await stat(path)).size };
  }

  /** The file of an upload, or a clear not_found. */
  async pathOf(uploadId: string): Promise<string> {
    if (!UPLOAD_ID.test(uploadId)) throw new CallError('bad_request', 'upload_id: is not an upload id');
    const folder = join(this.dir, uploadId);
    const names = await readdir(folder).catch(() => []);
    if (names.length !== 1)
      throw new CallError('not_found', 'that upload is gone (uploads are kept for an hour); please add the file again');
    return join(folder, names[0]);
  }

  /** The path named by a FileSource; `done()` removes an upload once it has been used. */
  async resolve(q: FileSource): Promise<{ path: string; done: () => Promise<void> }> {
    if (q.path) return { path: q.path, done: () => Promise.resolve() };
    const id = uploadIdOf(q);
    const path = await this.pathOf(id);
    return { path, done: () => rm(join(this.dir, id), { recursive: true, force: true }) };
  }

  /**
   * The path named by a FileSource, for an import the blob store links to: an upload is moved out of
   * the uploads folder (never swept) first, so the link stays good.
   */
  async keep(q: FileSource): Promise<string> {
    if (q.path) return q.path;
    const id = uploadIdOf(q);
    const from = await this.pathOf(id);
    await mkdir(this.keptDir, { recursive: true, mode: 0o700 });
    const folder = join(this.keptDir, id);
    await rename(join(this.dir, id), folder);
    return join(folder, basename(from));
  }

  /** Removes uploads older than UPLOAD_MAX_AGE_MS. */
  async sweep(now = Date.now()): Promise<void> {
    for (const id of await readdir(this.dir).catch(() => [] as string[])) {
      const st = await stat(join(this.dir, id)).catch(() => null);
      if (st && now - st.mtimeMs > UPLOAD_MAX_AGE_MS) await rm(join(this.dir, id), { recursive: true, force: true });
    }
  }
}

/** A held file's bytes as a web stream (for `GET /api/v1/files/<cid>`), or null when not held here. */
export async function openHeldFile(
  store: BlobStore,
  cid: string,
): Promise<{
  filename: string | null;
  mime_type: string | null;
  size_bytes: number;
  body: ReadableStream<Uint8Array>;
} | null> {
  if (!(await store.hasBlob(cid).catch(() => false))) return null;
  const m = await store.readManifest(cid);
  const ac = new AbortController();
  const chunks = store.readBlobStream(cid, { signal: ac.signal })[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value[1]);
    },
    async cancel() {
      ac.abort();
      await chunks.return(undefined);
    },
  });
  return { filename: m.filename ?? null, mime_type: m.mime_type ?? null, size_bytes: m.size_bytes, body };
}

/** The upload a FileSource names when it names no path (the input schema asks for one of the two). */
function uploadIdOf(q: FileSource): string {
  if (!q.upload_id) throw new CallError('bad_request', 'give the path of a file or the id of an upload');
  return q.upload_id;
}
