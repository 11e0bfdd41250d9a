/** services/embedding: embedding backends (Model2Vec static, ONNX BERT) and the embed.text@1.0 schemas. */
export type { EmbeddingBackend, EmbedOptions, EmbeddingHealth } from './backend';
export { EmbeddingError, EMBEDDING_ERROR_CODES, type EmbeddingErrorCode } from './errors';
export {
  StaticModel2VecBackend,
  isModel2VecDir,
  MODEL2VEC_MAX_TOKENS,
  MODEL2VEC_BATCH_SIZE,
  type StaticModel2VecOptions,
} from './static-model2vec';
export { OnnxBertBackend, ONNX_MAX_LENGTH, ONNX_BATCH_SIZE, ONNX_THREADS, type OnnxBertOptions } from './onnx-bert';
export { POOLINGS, type Pooling } from './pooling';
export {
  createEmbeddingBackend,
  candidateDirs,
  DEFAULT_EMBEDDING_MODEL,
  NO_EMBEDDING_MODEL_MESSAGE,
  type EmbeddingBackendConfig,
  type EmbeddingResolution,
} from './factory';
export {
  parseSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  SAFETENSORS_DTYPES,
  type Tensor,
  type SafetensorsDtype,
} from './safetensors';
export { l2Normalize, cosine, dotAt } from './vector-math';
export * from './schemas';
export {
  EmbeddingService,
  embeddingDescriptors,
  embedDescriptor,
  embedParamsCompatible,
  EMBED_MAX_CONCURRENT,
  type EmbeddingServiceOptions,
} from './service';
