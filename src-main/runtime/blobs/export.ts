/** Writing a blob out to a user's file atomically: temp file beside the target, then rename. */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HearthError } from '../../common';
import type { BlobManifest, ByteProgress, ChunkRef } from './chunker';
import { fsyncDir, ioError, tmpName } from './fs-util';

export interface ExportOptions {
  onProgress?: (p: ByteProgress) => void;
  signal?: AbortSignal;
}

/**
 * Streams `chunks` into `<outPath's dir>/<name>.<random>.tmp`, fsyncs, then renames onto
 * `outPath`: the target is either untouched or the whole verified file. The temp file is
 * removed on any failure.
 */
export async function exportBlob(m: BlobManifest, outPath: string, chunks: AsyncIterable<[ChunkRef, Uint8Array]>, opts: ExportOptions): Promise<void> {
  const tmp = tmpName(dirname(outPath), `.${basename(outPath)}`);
  let fh;
  try {
    fh = await open(tmp, 'wx');
    let bytes = 0;
    for await (const [, data] of chunks) {
      await fh.write(data, 0, data.length, bytes);
      bytes += data.length;
      opts.onProgress?.({ bytes, total_bytes: m.size_bytes });
    }
    await fh.datasync();
    await fh.close();
    fh = undefined;
    await rename(tmp, outPath);
    await fsyncDir(dirname(join(outPath)));
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err instanceof HearthError ? err : ioError(`saving to ${outPath}`, err);
  }
}
