/** PDF chunking: text per page via unpdf (pure JS pdf.js); chunks never span pages and carry `page` (1-based). */
import { renumber, type Chunk } from './chunk';
import { chunkText, type ChunkDocumentOptions } from './chunker';
import { RagError } from './errors';

/** Text of each page (index 0 = page 1). Throws RagError('unreadable_document') for a damaged or encrypted file. */
export async function pdfPages(pdfBytes: Uint8Array): Promise<string[]> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  try {
    // pdf.js may detach the buffer it is given: hand it a copy so the caller's bytes survive.
    const doc = await getDocumentProxy(new Uint8Array(pdfBytes));
    try {
      const { text } = await extractText(doc, { mergePages: false });
      return text;
    } finally {
      await doc.loadingTask.destroy();
    }
  } catch (cause) {
    throw new RagError(
      'unreadable_document',
      `This PDF could not be read (${(cause as Error).message}). It may be damaged or password-protected.`,
      { cause },
    );
  }
}

/**
 * Chunks a PDF page by page. Decision: chunks do not span pages, so every chunk has one exact
 * `page` to cite; char_start/char_end are offsets within that page's extracted text. Pages
 * without text (scans) produce no chunks.
 */
export async function chunkPdf(pdfBytes: Uint8Array, opts: ChunkDocumentOptions = {}): Promise<Chunk[]> {
  const pages = await pdfPages(pdfBytes);
  const out: Chunk[] = [];
  pages.forEach((text, i) => out.push(...chunkText(text, { ...opts, metadata: { ...opts.docMetadata, page: i + 1 } })));
  return renumber(out);
}
