/** Real generation for the fake vendors: run the request through a LlamaCppBackend and stream its pieces. */
import { LlmError, type ChatMessage, type ChatResult, type LlmBackend } from '../../../src-main/runtime/services/llm';

export interface FakeGenRequest {
  readonly messages?: ChatMessage[];
  readonly prompt?: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: string[];
  readonly seed?: number;
}

/**
 * Calls `onPiece` per generated piece (return false to cut the stream) and resolves with the real
 * ChatResult, or null when the stream was cut or the client went away.
 */
export async function generate(
  backend: LlmBackend,
  r: FakeGenRequest,
  signal: AbortSignal,
  onPiece: (text: string) => boolean,
): Promise<ChatResult | null> {
  const model = backend.models[0].name;
  const common = {
    model,
    maxTokens: r.maxTokens,
    temperature: r.temperature,
    topP: r.topP,
    stop: r.stop,
    seed: r.seed,
    signal,
  };
  const gen = r.messages
    ? backend.chat({ ...common, messages: r.messages })
    : backend.complete({ ...common, prompt: r.prompt ?? '' });
  try {
    for (;;) {
      const step = await gen.next();
      if (step.done) return step.value;
      if (!step.value.stop && !onPiece(step.value.text)) {
        await gen.return(undefined as never);
        return null;
      }
    }
  } catch (e) {
    if (e instanceof LlmError && e.code === 'cancelled') return null;
    throw e;
  }
}
