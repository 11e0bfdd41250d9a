/** The EmbeddingBackend contract (§8 of ../shared/spec/hearthnet-reference.md `EmbeddingBackend`) shared by every embedding engine. */

/** Options for one `embed` call. */
export interface EmbedOptions {
  /** L2-normalise each vector (default true). Cosine similarity then equals the dot product. */
  normalize?: boolean;
  /** Aborts between batches; the call then rejects with EmbeddingError('cancelled'). */
  signal?: AbortSignal;
}

/** What `health()` reports; `status` is 'ok' once warm, 'cold' before, 'error' after a failed load. */
export interface EmbeddingHealth {
  status: 'ok' | 'cold' | 'error' | 'closed';
  backend: string;
  model: string;
  dim: number;
  last_error?: string;
  embedded_texts: number;
}

/**
 * An embedding engine. Vectors are returned as `Float32Array`s (one per input text, `dim` long):
 * compact, transferable, and what the corpus store keeps as BLOBs. Callers that need JSON use
 * `Array.from(v)` at the wire edge.
 *
 * Lifecycle: construct (cheap, no heavy I/O) -> `warm()` (loads weights; idempotent; `embed`
 * loads them implicitly) -> `close()` (frees native sessions; idempotent; later calls fail with
 * EmbeddingError('closed') until `warm()` opens the model again).
 */
export interface EmbeddingBackend {
  /** Engine name, e.g. 'model2vec-static' or 'onnx'. */
  readonly name: string;
  /** Model name as configured / advertised (`embed.text@1.0` params.model). */
  readonly model: string;
  /** Vector length. Known before `warm()` for Model2Vec; for ONNX it is 0 until `warm()` unless configured. */
  readonly dim: number;
  /** Maximum tokens per text actually looked at; longer texts are truncated. */
  readonly maxInput: number;
  embed(texts: readonly string[], opts?: EmbedOptions): Promise<Float32Array[]>;
  warm(): Promise<void>;
  close(): Promise<void>;
  health(): EmbeddingHealth;
}
