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
    // The header as plain JSON: the architecture names the section that holds the context length.
    const md: Record<string, unknown> = info.metadata;
    const field = (section: unknown, key: string): unknown =>
      section !== null && typeof section === 'object' ? (section as Record<string, unknown>)[key] : undefined;
    const general = field(md, 'general');
    const archName = field(general, 'architecture');
    const arch = typeof archName === 'string' ? archName : null;
    const ctx = arch ? field(md[arch], 'context_length') : undefined;
    return { architecture: arch, context_length: typeof ctx === 'number' ? ctx : null };
  } catch {
    return { architecture: null, context_length: null }; // metadata is a nicety; the file is still listed
  }
}
