/**
 * The renderer's tRPC client. In a browser: queries and mutations over HTTP, subscriptions as
 * server-sent events, both with the local token. Inside the Electron app the desktop shell's IPC
 * link (ipc-link.ts, subscriptions included) takes over; which link is used is decided in
 * `chooseLink` alone.
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from '../../src-main/runtime/api';
import { ipcBridge, ipcLink } from './ipc-link';
import { FetchEventSource } from './sse';

const TOKEN_KEY = 'hearthnet-token';

/**
 * In a browser the token arrives once in the URL fragment (`#token=...`) and is kept for the
 * session. Read at start-up, before the tab router looks at the fragment.
 */
function readLocalToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

const token = ipcBridge() ? '' : readLocalToken();

/** The local API token for other HTTP calls of this page (long operations). */
export function authHeaders(): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The one place that picks the transport: IPC inside the desktop app, HTTP + SSE in a browser. */
function chooseLink(): TRPCLink<AppRouter> {
  if (ipcBridge()) return ipcLink<AppRouter>();
  const url = `${location.origin}/trpc`;
  return splitLink({
    condition: (op) => op.type === 'subscription',
    // Our fetch-based EventSource sends the token as a header, so it never appears in a URL
    // (the server also accepts tRPC's connectionParams, which a plain EventSource would need).
    true: httpSubscriptionLink({ url, EventSource: FetchEventSource, eventSourceOptions: () => ({ headers: authHeaders() }) }),
    false: httpLink({ url, headers: authHeaders }),
  });
}

export const trpc = createTRPCClient<AppRouter>({ links: [chooseLink()] });
