/** services/llm: LLM backends (M04) and their wire schemas; the LlmService builds on these. */
export * from './backends/base';
export * from './backends/errors';
export * from './backends/llama-cpp';
export * from './backends/openai-compatible';
export * from './backends/openai-vendors';
export * from './backends/hf-api';
export * from './backends/ollama';
export * from './backends/anthropic';
export { describeModel, UNKNOWN_MODEL_CTX } from './backends/model-catalog';
export { redact, retryAfterMs, HTTP_PROBE_TIMEOUT_MS } from './backends/http-client';
export type { Env } from './backends/api-key';
export * from './tokenizers';
export * from './backends/factory';
export * from './backends/autodetect';
export * from './schemas';
export * from './admission';
export * from './descriptors';
export * from './service';
