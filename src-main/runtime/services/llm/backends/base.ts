/** The LlmBackend seam (§9 of ../shared/spec/hearthnet-reference.md M04 §3.1): what every model runtime, local or remote, offers the LlmService. */
import { LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS, type Unchecked } from '../../../../common';
import { LlmError } from './errors';

/** One streamed piece of generated text. Exactly one `stop: true` token (text '') ends each stream. */
export interface Token {
  readonly text: string;
  /** Log-probability of the token when the backend reports it; otherwise null. */
  readonly logprob: number | null;
  readonly stop: boolean;
}

/** Why generation ended, normalised across vendors. */
export const STOP_REASONS = ['stop', 'length', 'stop_sequence', 'content_filter'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** Final statistics of one generation (the generator's return value). Wire names are snake_case. */
export interface ChatResult {
  readonly text: string;
  readonly tokens_in: number;
  readonly tokens_out: number;
  readonly stop_reason: StopReason;
  /** Wall time of the whole call, in milliseconds. */
  readonly ms: number;
}

/** Input modalities a model accepts. */
export type Modality = 'text' | 'vision';

/** A model a backend serves; the service advertises one capability per (backend, model). */
export interface BackendModel {
  readonly name: string;
  /** Quantisation label ("Q4_K_M", "fp16", "api" for hosted APIs). */
  readonly quant: string;
  /** Maximum context window in tokens. */
  readonly ctx_max: number;
  readonly modalities: readonly Modality[];
  /** True when the model only works with internet access (M09 withdraws it offline). */
  readonly requires_internet: boolean;
}

export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];
export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

/** Options shared by chat and complete. Defaults: see the DEFAULT_* constants below. */
export interface GenerationOptions {
  readonly model: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  /** Aborting stops generation at once; the generator then throws LlmError('cancelled'). */
  readonly signal?: AbortSignal;
  /** Whole-call deadline in ms (default LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS); exceeding it throws 'timeout'. */
  readonly timeoutMs?: number;
}
export interface ChatRequest extends GenerationOptions {
  readonly messages: readonly ChatMessage[];
}
export interface CompleteRequest extends GenerationOptions {
  readonly prompt: string;
}

/** A streamed generation: yields tokens, returns the final statistics. */
export type Generation = AsyncGenerator<Token, ChatResult, undefined>;

/** What `health()` reports; `ok: false` comes with a human-readable `detail`. */
export interface BackendHealth {
  readonly backend: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly models: readonly string[];
  readonly latency_ms: number;
}

/**
 * A model runtime. Lifecycle: construct (cheap, no I/O) -> optional `warm(model)` -> many calls
 * (up to `maxConcurrent(model)` at once; more wait or are refused by the service) -> `close()`;
 * `warm(model)` after `close()` opens the backend again (the service started after a stop).
 */
export interface LlmBackend {
  /** Config name of the backend kind: llama_cpp, ollama, lmstudio, vllm, hf_api, anthropic_api, nemotron, openbmb. */
  readonly name: string;
  /** Models declared at construction; `listModels()` asks the runtime itself. */
  readonly models: readonly BackendModel[];
  warm(model: string): Promise<void>;
  close(): Promise<void>;
  chat(req: ChatRequest): Generation;
  complete(req: CompleteRequest): Generation;
  /** Token count of `text` for `model`: exact for local models, an estimate for remote ones. */
  countTokens(model: string, text: string): number;
  /** How many generations this backend runs at once for `model`. */
  maxConcurrent(model: string): number;
  health(): Promise<BackendHealth>;
  /** Model names the runtime reports right now (GET /v1/models, /api/tags, ...). */
  listModels(signal?: AbortSignal): Promise<string[]>;
}

export const DEFAULT_CHAT_MAX_TOKENS = 1024;
export const DEFAULT_COMPLETE_MAX_TOKENS = 256;
export const DEFAULT_TEMPERATURE = 0.7;
export const DEFAULT_TOP_P = 0.95;
export const DEFAULT_GENERATION_TIMEOUT_MS = LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS * 1000;
/** Upper bound on stop sequences (OpenAI's limit; keeps stop scanning cheap). */
export const MAX_STOP_SEQUENCES = 4;

/** A request with every default filled in and every field checked. */
export interface ResolvedOptions {
  readonly model: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly stop: readonly string[];
  readonly seed: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
}

function bad(message: string): never {
  throw new LlmError('bad_request', message);
}

/** Fill defaults and validate; throws LlmError('bad_request') naming the bad field. */
export function resolveOptions(req: GenerationOptions, defaultMaxTokens: number): ResolvedOptions {
  if (typeof req.model !== 'string' || req.model === '') bad('model must be a non-empty string');
  const maxTokens = req.maxTokens ?? defaultMaxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    bad(`max_tokens must be a positive integer, got ${String(maxTokens)}`);
  const temperature = req.temperature ?? DEFAULT_TEMPERATURE;
  if (!(temperature >= 0 && temperature <= 2)) bad(`temperature must be between 0 and 2, got ${String(temperature)}`);
  const topP = req.topP ?? DEFAULT_TOP_P;
  if (!(topP > 0 && topP <= 1)) bad(`top_p must be in (0, 1], got ${String(topP)}`);
  const stop = req.stop ?? [];
  if (!Array.isArray(stop) || stop.length > MAX_STOP_SEQUENCES || stop.some((s) => typeof s !== 'string' || s === '')) {
    bad(`stop must be at most ${MAX_STOP_SEQUENCES} non-empty strings`);
  }
  if (req.seed !== undefined && !Number.isInteger(req.seed)) bad('seed must be an integer');
  const timeoutMs = req.timeoutMs ?? DEFAULT_GENERATION_TIMEOUT_MS;
  if (!(timeoutMs > 0)) bad('timeoutMs must be positive');
  return { model: req.model, maxTokens, temperature, topP, stop, seed: req.seed, signal: req.signal, timeoutMs };
}

/** Validate chat messages: non-empty, known roles, string content. */
export function checkMessages(messages: readonly ChatMessage[]): void {
  const list: unknown = messages; // checked as untyped: callers' request bodies reach here
  if (!Array.isArray(list) || list.length === 0) bad('messages must be a non-empty list');
  for (const [i, m] of (list as Array<Unchecked<ChatMessage> | null>).entries()) {
    if (!m || !(CHAT_ROLES as readonly unknown[]).includes(m.role))
      bad(`messages[${i}].role must be one of ${CHAT_ROLES.join(', ')}`);
    if (typeof m.content !== 'string') bad(`messages[${i}].content must be a string`);
  }
}

/** Drain a generation, calling `onToken` per piece; returns the final statistics. */
export async function collect(gen: Generation, onToken?: (t: Token) => void): Promise<ChatResult> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
    if (!r.value.stop) onToken?.(r.value);
  }
}

/** The terminal token every stream ends with. */
export const STOP_TOKEN: Token = Object.freeze({ text: '', logprob: null, stop: true });
