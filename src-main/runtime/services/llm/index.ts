/** services/llm: LLM backends (M04) and their wire schemas; the LlmService builds on these. */
export * from './backends/base';
export * from './backends/errors';
export * from './backends/llama-cpp';
export * from './tokenizers';
