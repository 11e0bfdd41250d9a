/** OpenAI-style SSE: `data: <json>` events then `data: [DONE]`, on the one SSE writer (common/sse.ts). */
import { sseResponse as writeSse, type SseMessage } from '../../common';

/** How an event source ended: normally (send `[DONE]`) or after an error event (no `[DONE]`, as OpenAI does). */
export type SseEnd = 'done' | 'error';

/** A `text/event-stream` Response whose events come from `events`; `onCancel` runs when the client goes away. */
export function sseResponse(events: AsyncGenerator<unknown, SseEnd>, onCancel: () => void): Response {
  async function* messages(): AsyncGenerator<SseMessage, void, undefined> {
    let end: SseEnd = 'error';
    try {
      for (;;) {
        const r = await events.next();
        if (r.done) {
          end = r.value;
          break;
        }
        yield { data: JSON.stringify(r.value) };
      }
    } catch {
      return; // the source reports its own errors as events; end quietly
    } finally {
      if (end === 'error') await events.return('error').catch(() => {}); // left early: close the source
    }
    if (end === 'done') yield { data: '[DONE]' };
  }
  return writeSse(messages(), onCancel);
}
