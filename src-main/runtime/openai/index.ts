/** The OpenAI-compatible local endpoint: public surface. */
export { createOpenAiApp, OPENAI_EMBED_BATCH, type OpenAiAppOptions } from './app';
export {
  toOpenAiError,
  openAiError,
  OpenAiRequestError,
  type OpenAiErrorBody,
  type OpenAiErrorResponse,
} from './errors';
export { listModels, instancesOf, OPENAI_LISTED_CAPABILITIES, type OpenAiModel } from './models';
export { chatRequest, completionRequest, embeddingRequest, finishReason } from './translate';
