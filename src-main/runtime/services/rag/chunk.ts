/** Chunk: a piece of a document as indexed (§10 of ../shared/spec/hearthnet-reference.md `Chunk`). */

/** JSON-safe metadata; the chunker always sets chunk_index, char_start, char_end, token_count. */
export type ChunkMetadata = Record<string, unknown> & {
  chunk_index?: number;
  char_start?: number;
  char_end?: number;
  token_count?: number;
  page?: number;
  section?: string;
};

export interface Chunk {
  readonly text: string;
  readonly metadata: ChunkMetadata;
}

/** Renumbers chunk_index 0..n-1 across chunks produced by several chunkText calls (pages, sections). */
export function renumber(chunks: Chunk[]): Chunk[] {
  return chunks.map((c, i) => ({ text: c.text, metadata: { ...c.metadata, chunk_index: i } }));
}
