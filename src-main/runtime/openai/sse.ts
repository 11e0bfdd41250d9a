/** OpenAI-style SSE: `data: <json>` events then `data: [DONE]`, pulled lazily so a slow client slows the model. */

/** How an event source ended: normally (send `[DONE]`) or after an error event (no `[DONE]`, as OpenAI does). */
export type SseEnd = 'done' | 'error';

/** A `text/event-stream` Response whose events come from `events`; `onCancel` runs when the client goes away. */
export function sseResponse(events: AsyncGenerator<unknown, SseEnd>, onCancel: () => void): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      let r: IteratorResult<unknown, SseEnd>;
      try {
        r = await events.next();
      } catch {
        r = { done: true, value: 'error' }; // the source reports its own errors as events; end quietly
      }
      if (r.done) {
        if (r.value === 'done') ctrl.enqueue(enc.encode('data: [DONE]\n\n'));
        ctrl.close();
        return;
      }
      ctrl.enqueue(enc.encode(`data: ${JSON.stringify(r.value)}\n\n`));
    },
    async cancel() {
      onCancel();
      await events.return('error').catch(() => {});
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    },
  });
}
