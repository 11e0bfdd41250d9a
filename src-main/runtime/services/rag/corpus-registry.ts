/** The node's open corpora: one CorpusStore per corpus, reopened with vectors once an embedding model is known. */
import { corpusInfo, listCorpora, type CorpusInfo } from './corpora';
import { validateCorpusName } from './corpus-name';
import { CorpusStore } from './store';

/** The embedding model a corpus's vectors come from. */
export interface CorpusEmbedding {
  readonly model: string;
  readonly dim: number;
}

/**
 * Lifecycle: stores open lazily on first use; `close()` closes them all (idempotent). A corpus
 * first opened keyword-only is reopened with `embedding.dim` when vectors arrive.
 */
export class CorpusRegistry {
  readonly #open = new Map<string, CorpusStore>();

  constructor(readonly corporaDir: string) {}

  /** Corpus names on disk or open, sorted. */
  names(): string[] {
    return [...new Set([...listCorpora(this.corporaDir), ...this.#open.keys()])].sort();
  }

  /** Summary of a corpus on disk, or null when it does not exist yet. */
  info(name: string): CorpusInfo | null {
    if (!listCorpora(this.corporaDir).includes(validateCorpusName(name))) return null;
    return corpusInfo(this.corporaDir, name);
  }

  /** The model (and dimension) a corpus was indexed with, or null for keyword-only / new corpora. */
  embeddingOf(name: string): CorpusEmbedding | null {
    const i = this.info(name);
    return i && i.dim > 0 && i.embedding_model ? { model: i.embedding_model, dim: i.dim } : null;
  }

  /**
   * The store of `name` (created if needed). With `embedding`, the store accepts vectors of that
   * dimension; RagError('embedding_mismatch') if the corpus holds vectors of another model.
   */
  open(name: string, embedding: CorpusEmbedding | null = null): CorpusStore {
    validateCorpusName(name);
    const cached = this.#open.get(name);
    if (cached && (!embedding || cached.embeddingDim === embedding.dim)) return cached;
    const stored = this.embeddingOf(name);
    const want = embedding ?? stored;
    if (cached) {
      cached.close();
      this.#open.delete(name);
    }
    const store = new CorpusStore(this.corporaDir, name, want?.dim ?? 0, want ? { embeddingModel: want.model } : {});
    this.#open.set(name, store);
    return store;
  }

  close(): void {
    for (const s of this.#open.values()) s.close();
    this.#open.clear();
  }
}
