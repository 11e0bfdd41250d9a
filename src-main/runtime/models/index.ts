/** The models folder: list, add and pull GGUF model files (CLI `hearthnet models ...`, UI). */
export { ModelStore, type ModelFile } from './store';
export { downloadModel, PULL_DEFAULT_RETRIES, type PullOptions, type PullProgress } from './pull';
export { ModelStoreError, MODEL_STORE_ERROR_CODES, type ModelStoreErrorCode } from './errors';
export { isGguf, ggufSummary, GGUF_MAGIC, type GgufSummary } from './gguf';
export { hashFile, cachedSha256, sidecarOf } from './sha256';
