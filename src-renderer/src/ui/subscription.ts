/**
 * Subscriptions as signals, with reconnect: a tRPC subscription that errors or ends is started
 * again after a growing pause (0.5 s up to 10 s), so a node restart or a dropped connection
 * heals by itself. Stops when the owning component is disposed.
 *
 * A subscription inside a tab pauses while the tab is hidden (VisibleContext, set by the
 * shell) and starts again when it is shown. Why: in a browser each subscription holds one
 * HTTP/1.1 connection, and Chromium allows six per host; with every opened tab streaming, the
 * seventh request (any query) would wait forever.
 */
import { createContext, createEffect, createSignal, on, onCleanup, useContext, type Accessor } from 'solid-js';
import { plainError, type PlainError } from './errors';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'paused';

/** Whether the part of the app a subscription lives in is on screen (a tab's panel). Default: yes. */
export const VisibleContext = createContext<Accessor<boolean>>(() => true);

/** What tRPC's `.subscribe(input, handlers)` takes and returns. */
export interface SubscribeHandlers<T> {
  onStarted?: () => void;
  onData: (value: T) => void;
  onError: (err: unknown) => void;
  onComplete?: () => void;
}
export type Subscribe<T> = (handlers: SubscribeHandlers<T>) => { unsubscribe(): void };

export interface Live {
  readonly state: Accessor<LiveState>;
  /** The last error, cleared when data flows again. */
  readonly error: Accessor<PlainError | null>;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Run `subscribe` for as long as the calling component lives, calling `onData` for each value. */
export function useSubscription<T>(subscribe: Subscribe<T>, onData: (value: T) => void): Live {
  const [state, setState] = createSignal<LiveState>('connecting');
  const [error, setError] = createSignal<PlainError | null>(null);
  let current: { unsubscribe(): void } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = RETRY_MIN_MS;
  let disposed = false;
  const visible = useContext(VisibleContext);

  const again = () => {
    current?.unsubscribe();
    current = null;
    if (disposed) return;
    setState('reconnecting');
    clearTimeout(timer);
    timer = setTimeout(start, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  function start() {
    if (disposed || !visible()) return;
    current = subscribe({
      onStarted: () => setState('live'),
      onData: (v) => {
        retryMs = RETRY_MIN_MS;
        setState('live');
        setError(null);
        onData(v);
      },
      onError: (err) => {
        setError(plainError(err));
        again();
      },
      onComplete: () => {
        if (!disposed) again();
      },
    });
  }

  createEffect(
    on(visible, (shown) => {
      clearTimeout(timer);
      current?.unsubscribe();
      current = null;
      if (shown) {
        retryMs = RETRY_MIN_MS;
        setState('connecting');
        start();
      } else setState('paused');
    }),
  );
  onCleanup(() => {
    disposed = true;
    clearTimeout(timer);
    current?.unsubscribe();
  });
  return { state, error };
}
