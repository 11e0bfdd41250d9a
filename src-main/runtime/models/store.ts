/** ModelStore: the models folder — list GGUF files, add one from disk, pull one from a URL (for the CLI and UI). */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ModelStoreError } from './errors';
import { ggufSummary, isGguf } from './gguf';
import { downloadModel, type PullOptions } from './pull';
import { cachedSha256, writeSidecar } from './sha256';

/** One model file, as `hearthnet models list` prints it. */
export interface ModelFile {
  /** File name without `.gguf` (what llama_cpp advertises as the model name). */
  readonly name: string;
  /** Path relative to the models folder. */
  readonly file: string;
  readonly path: string;
  readonly size_bytes: number;
  readonly sha256: string;
  readonly architecture: string | null;
  readonly context_length: number | null;
  /** ISO 8601 modification time. */
  readonly modified: string;
}

/** File names accepted for added or pulled models. */
const SAFE_GGUF_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.gguf$/i;

export class ModelStore {
  constructor(readonly modelsDir: string) {}

  /** GGUF files in the folder and its direct sub-folders (e.g. `stories260K/stories260K.gguf`), by name. */
  async list(): Promise<ModelFile[]> {
    const paths: string[] = [];
    for (const e of await readdir(this.modelsDir, { withFileTypes: true }).catch(() => [])) {
      const p = join(this.modelsDir, e.name);
      if (e.isFile() && /\.gguf$/i.test(e.name)) paths.push(p);
      else if (e.isDirectory()) {
        for (const f of await readdir(p, { withFileTypes: true }).catch(() => []))
          if (f.isFile() && /\.gguf$/i.test(f.name)) paths.push(join(p, f.name));
      }
    }
    const out: ModelFile[] = [];
    for (const p of paths.sort()) out.push(await this.describe(p));
    return out;
  }

  /** Copy a GGUF file into the folder (via a temp file, then an atomic rename). */
  async add(filePath: string): Promise<ModelFile> {
    const st = await stat(filePath).catch(() => null);
    if (!st?.isFile()) throw new ModelStoreError('not_found', `there is no file at ${filePath}`);
    if (!(await isGguf(filePath)))
      throw new ModelStoreError(
        'not_gguf',
        `${basename(filePath)} is not a GGUF model file (it does not start with "GGUF")`,
      );
    const dest = await this.destination(basename(filePath));
    const tmp = `${dest}.adding-${randomBytes(4).toString('hex')}`;
    const h = createHash('sha256');
    try {
      await pipeline(
        createReadStream(filePath),
        async function* (src: AsyncIterable<Buffer>) {
          for await (const c of src) {
            h.update(c);
            yield c;
          }
        },
        createWriteStream(tmp, { flags: 'wx' }),
      );
      await rename(tmp, dest);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw new ModelStoreError(
        'io_error',
        `could not copy ${basename(filePath)} into ${this.modelsDir}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    await writeSidecar(dest, h.digest('hex'));
    return this.describe(dest);
  }

  /**
   * Download a GGUF file (http/https) into the folder, resuming a previous partial download.
   * The file name is `opts.name` or the URL's last path segment.
   */
  async pull(url: string, opts: PullOptions & { name?: string } = {}): Promise<ModelFile> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ModelStoreError('bad_url', `"${url}" is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new ModelStoreError('bad_url', `only http and https downloads are supported, not ${u.protocol}`);
    const dest = await this.destination(opts.name ?? decodeURIComponent(basename(u.pathname)));
    await downloadModel(u.href, dest, opts);
    return this.describe(dest);
  }

  private async destination(name: string): Promise<string> {
    if (!SAFE_GGUF_NAME.test(name))
      throw new ModelStoreError(
        'bad_name',
        `"${name}" is not a usable model file name (letters, digits, . _ - and ending in .gguf)`,
      );
    await mkdir(this.modelsDir, { recursive: true });
    const dest = join(this.modelsDir, name);
    if (
      await stat(dest).then(
        () => true,
        () => false,
      )
    )
      throw new ModelStoreError('exists', `${name} is already in the models folder`);
    return dest;
  }

  private async describe(path: string): Promise<ModelFile> {
    const st = await stat(path);
    const [sha256, meta] = await Promise.all([cachedSha256(path), ggufSummary(path)]);
    return {
      name: basename(path).replace(/\.gguf$/i, ''),
      file: relative(this.modelsDir, path),
      path,
      size_bytes: st.size,
      sha256,
      architecture: meta.architecture,
      context_length: meta.context_length,
      modified: st.mtime.toISOString(),
    };
  }
}
