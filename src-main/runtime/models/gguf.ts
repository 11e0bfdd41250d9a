/** Cheap GGUF checks: the magic bytes, and architecture/context from the header via node-llama-cpp. */
import { open } from 'node:fs/promises';

/** Every GGUF file starts with these four bytes. */
export const GGUF_MAGIC = Buffer.from('GGUF', 'ascii');

/** True when the file starts with `GGUF`. */
export async function isGguf(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.equals(GGUF_MAGIC);
  } finally {
    await fh.close();
  }
}

export interface GgufSummary {
  readonly architecture: string | null;
  /** Training context length in tokens, when the header says. */
  readonly context_length: number | null;
}

/** Reads only the header (no tensors); null fields when the file does not say or cannot be parsed. */
export async function ggufSummary(path: string): Promise<GgufSummary> {
  try {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(path, { readTensorInfo: false });
    const md = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
    const arch = typeof md.general?.architecture === 'string' ? md.general.architecture : null;
    const ctx = arch ? md[arch]?.context_length : undefined;
    return { architecture: arch, context_length: typeof ctx === 'number' ? ctx : null };
  } catch {
    return { architecture: null, context_length: null }; // metadata is a nicety; the file is still listed
  }
}
