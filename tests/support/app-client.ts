/**
 * The household app's tRPC client as a browser builds it, for Node tests: httpLink for queries and
 * mutations, httpSubscriptionLink (server-sent events) for subscriptions, with the token in tRPC's
 * connectionParams. Node 20 has no EventSource, so a small fetch-based one stands in for it.
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter } from '../../src-main/runtime/api';
import type { RunningNode } from '../../src-main/runtime/node';

/** Just what httpSubscriptionLink uses of an EventSource: named events, open/error, close(). */
class FetchEventSource extends EventTarget {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  readonly withCredentials = false;
  private readonly ac = new AbortController();

  constructor(readonly url: string) {
    super();
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      const res = await fetch(this.url, { headers: { accept: 'text/event-stream' }, signal: this.ac.signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      this.readyState = 1;
      this.dispatchEvent(new Event('open'));
      const decoder = new TextDecoder();
      let buf = '';
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(part, { stream: true });
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          let event = 'message';
          let id = '';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            else if (line.startsWith('id:')) id = line.slice(3).trim();
          }
          if (data.length) this.dispatchEvent(new MessageEvent(event, { data: data.join('\n'), lastEventId: id }));
        }
      }
    } catch {
      // closed by us, or the stream broke: tRPC sees an error unless we closed it
    }
    if (this.readyState !== 2) {
      this.readyState = 2;
      this.dispatchEvent(new Event('error'));
    }
  }

  close(): void {
    this.readyState = 2;
    this.ac.abort();
  }
}

export type AppClient = ReturnType<typeof appClient>;

export function appClient(node: RunningNode) {
  const url = `http://127.0.0.1:${node.apiPort}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          connectionParams: { token: node.apiToken },
          EventSource: FetchEventSource as unknown as typeof EventSource,
        }),
        false: httpLink({ url, headers: { authorization: `Bearer ${node.apiToken}` } }),
      }),
    ],
  });
}

/** Collects a subscription's values until `until` says stop (or `timeoutMs` passes); then unsubscribes. */
export function collect<T>(
  subscribe: (handlers: { onData: (v: T) => void; onError: (e: unknown) => void; onComplete: () => void }) => {
    unsubscribe(): void;
  },
  until: (values: T[]) => boolean,
  timeoutMs = 20_000,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const values: T[] = [];
    let sub: { unsubscribe(): void } | null = null;
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sub?.unsubscribe();
      if (err)
        reject(
          err instanceof Error
            ? err
            : new Error(typeof err === 'string' ? err : ((err as { message?: string }).message ?? JSON.stringify(err))),
        );
      else resolve(values);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `subscription: timed out after ${timeoutMs} ms with ${values.length} values: ${JSON.stringify(values).slice(0, 500)}`,
          ),
        ),
      timeoutMs,
    );
    sub = subscribe({
      onData: (v) => {
        values.push(v);
        if (until(values)) finish();
      },
      onError: (e) => finish(e),
      onComplete: () =>
        finish(until(values) ? undefined : new Error(`subscription ended early with ${values.length} values`)),
    });
    if (finished) sub.unsubscribe();
  });
}
