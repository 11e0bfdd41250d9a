/** Token-based chunking with overlap that never cuts a sentence (§10 of ../shared/spec/hearthnet-reference.md chunk_text), plus format dispatch. */
import { RAG_CHUNK_OVERLAP_TOKENS, RAG_CHUNK_TOKENS } from '../../../common';
import { renumber, type Chunk, type ChunkMetadata } from './chunk';
import { chunkHtml } from './chunk-html';
import { chunkMarkdown } from './chunk-markdown';
import { chunkPdf } from './chunk-pdf';
import { RagError } from './errors';
import { splitByWords, splitSentences, type Span } from './sentences';
import { approxTokenCount, type TokenCounter } from './token-count';

export type { Chunk, ChunkMetadata };

export interface ChunkTextOptions {
  tokensPerChunk?: number;
  overlapTokens?: number;
  /** Copied into every chunk's metadata (before the chunker's own keys). */
  metadata?: Record<string, unknown>;
  /** Default `approxTokenCount`; pass a real tokenizer's count for exact budgets. */
  countTokens?: TokenCounter;
  /** Added to char_start/char_end, so offsets can refer to an enclosing document. */
  baseOffset?: number;
}

function validate(tokensPerChunk: number, overlap: number): void {
  if (!Number.isInteger(tokensPerChunk) || tokensPerChunk < 1) {
    throw new RagError('bad_request', `tokensPerChunk must be a positive whole number (got ${tokensPerChunk}).`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tokensPerChunk) {
    throw new RagError(
      'bad_request',
      `overlapTokens must be a whole number from 0 to ${tokensPerChunk - 1} (got ${overlap}).`,
    );
  }
}

/**
 * Splits `text` into chunks of at most `tokensPerChunk` tokens. Whole sentences are packed
 * greedily; the next chunk starts with the longest run of trailing sentences of the previous
 * chunk that fits in `overlapTokens` (always advancing by at least one sentence). A sentence
 * longer than a chunk is split at word boundaries into pieces of at most `overlapTokens`
 * (or `tokensPerChunk` when overlap is 0) so that overlap still works inside it.
 */
export function chunkText(text: string, opts: ChunkTextOptions = {}): Chunk[] {
  const tokensPerChunk = opts.tokensPerChunk ?? RAG_CHUNK_TOKENS;
  const overlap = opts.overlapTokens ?? RAG_CHUNK_OVERLAP_TOKENS;
  validate(tokensPerChunk, overlap);
  if (typeof text !== 'string') throw new RagError('bad_request', 'chunkText needs a string.');
  const count = opts.countTokens ?? approxTokenCount;
  const base = opts.baseOffset ?? 0;
  const pieceMax = overlap > 0 ? overlap : tokensPerChunk;
  const units: { span: Span; tokens: number }[] = [];
  for (const s of splitSentences(text)) {
    const t = count(text.slice(s.start, s.end));
    if (t <= tokensPerChunk) units.push({ span: s, tokens: t });
    else
      for (const p of splitByWords(text, s, pieceMax, count))
        units.push({ span: p, tokens: count(text.slice(p.start, p.end)) });
  }
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < units.length) {
    let j = i;
    let total = 0;
    while (j < units.length && (j === i || total + units[j].tokens <= tokensPerChunk)) total += units[j++].tokens;
    const start = units[i].span.start;
    const end = units[j - 1].span.end;
    chunks.push({
      text: text.slice(start, end),
      metadata: {
        ...opts.metadata,
        chunk_index: chunks.length,
        char_start: base + start,
        char_end: base + end,
        token_count: total,
      },
    });
    if (j >= units.length) break;
    let back = j;
    let carried = 0;
    while (back - 1 > i && carried + units[back - 1].tokens <= overlap) carried += units[--back].tokens;
    i = back;
  }
  return chunks;
}

/** Options shared by the format-specific chunkers. */
export interface ChunkDocumentOptions extends Omit<ChunkTextOptions, 'metadata' | 'baseOffset'> {
  /** Document-level metadata copied into every chunk (title, language, doc_cid...). */
  docMetadata?: Record<string, unknown>;
}

export type DocumentKind = 'pdf' | 'markdown' | 'html' | 'text';

const BY_MIME: Readonly<Partial<Record<string, DocumentKind>>> = {
  'application/pdf': 'pdf',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
};
const BY_EXT: Readonly<Partial<Record<string, DocumentKind>>> = {
  pdf: 'pdf',
  md: 'markdown',
  markdown: 'markdown',
  html: 'html',
  htm: 'html',
  txt: 'text',
  text: 'text',
};

/** Classifies a MIME type (parameters ignored) or a filename; null when unsupported. */
export function documentKind(mimeTypeOrFilename: string): DocumentKind | null {
  const s = mimeTypeOrFilename.trim().toLowerCase();
  if (s.includes('/') && !s.includes('.'))
    return BY_MIME[s.split(';')[0].trim()] ?? (s.startsWith('text/') ? 'text' : null);
  const ext = s.includes('.') ? s.slice(s.lastIndexOf('.') + 1) : '';
  return BY_EXT[ext] ?? BY_MIME[s.split(';')[0].trim()] ?? null;
}

/** Decodes UTF-8 strictly (a BOM is dropped); invalid bytes are a clear error, not mojibake in the index. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new RagError(
      'unreadable_document',
      'This document is not valid UTF-8 text. Save it as UTF-8 and try again.',
      { cause },
    );
  }
}

/** Chunks a whole document, dispatching on its MIME type or filename. */
export async function chunkDocument(
  bytes: Uint8Array,
  mimeTypeOrFilename: string,
  opts: ChunkDocumentOptions = {},
): Promise<Chunk[]> {
  const kind = documentKind(mimeTypeOrFilename);
  switch (kind) {
    case 'pdf':
      return chunkPdf(bytes, opts);
    case 'markdown':
      return chunkMarkdown(decodeUtf8(bytes), opts);
    case 'html':
      return chunkHtml(decodeUtf8(bytes), opts);
    case 'text':
      return renumber(chunkText(decodeUtf8(bytes), { ...opts, metadata: opts.docMetadata }));
    case null:
      throw new RagError(
        'unsupported_type',
        `Cannot index "${mimeTypeOrFilename}": supported are PDF, Markdown, HTML and plain text.`,
        {
          details: { type: mimeTypeOrFilename },
        },
      );
  }
}
