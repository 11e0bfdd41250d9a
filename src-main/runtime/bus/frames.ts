/** Local streams get the same framing the transport gives remote ones: numbered, ending in `done`. */
import type { Frame, FrameData } from '../transport/contract';

export async function* numberFrames(src: AsyncIterable<FrameData>): AsyncGenerator<Frame> {
  let seq = 0;
  for await (const f of src) {
    yield { event: f.event, data: f.data, seq: ++seq };
    if (f.event === 'done' || f.event === 'error') return;
  }
  yield { event: 'done', data: {}, seq: ++seq };
}

/** Token counts a result or a `done` frame may report (LLM capabilities do). */
export function tokensOf(v: unknown): { tokensIn?: number; tokensOut?: number } {
  if (typeof v !== 'object' || v === null) return {};
  const o = v as { tokens_in?: unknown; tokens_out?: unknown };
  return {
    ...(typeof o.tokens_in === 'number' ? { tokensIn: o.tokens_in } : {}),
    ...(typeof o.tokens_out === 'number' ? { tokensOut: o.tokens_out } : {}),
  };
}
