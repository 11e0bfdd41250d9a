/** Streaming SHA-256 of model files, cached in a `<file>.sha256` sidecar (sha256sum format). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** Hex SHA-256 of a file, read in a stream (model files are gigabytes). */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sidecarOf(path: string): string {
  return `${path}.sha256`;
}

/** Write `<hex>  <name>\n` atomically (readable by `sha256sum -c`). */
export async function writeSidecar(path: string, hex: string): Promise<void> {
  const tmp = `${sidecarOf(path)}.tmp`;
  await writeFile(tmp, `${hex}  ${basename(path)}\n`);
  await rename(tmp, sidecarOf(path));
}

/** The cached hash when the sidecar is at least as new as the file; otherwise hash and cache. */
export async function cachedSha256(path: string): Promise<string> {
  const side = sidecarOf(path);
  try {
    const [f, s] = await Promise.all([stat(path), stat(side)]);
    if (s.mtimeMs >= f.mtimeMs) {
      const hex = (await readFile(side, 'utf8')).trim().split(/\s+/)[0];
      if (/^[0-9a-f]{64}$/.test(hex)) return hex;
    }
  } catch {
    // no sidecar (or unreadable): compute below
  }
  const hex = await hashFile(path);
  await writeSidecar(path, hex).catch(() => {}); // a read-only folder still lists, just without the cache
  return hex;
}
