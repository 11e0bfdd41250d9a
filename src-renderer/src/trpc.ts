/**
 * The renderer's tRPC client. In a browser: queries and mutations over HTTP, subscriptions as
 * server-sent events, both with the local token. Inside the Electron app the desktop shell's IPC
 * link (ipc-link.ts, subscriptions included) takes over; which link is used is decided in
 * `chooseLink` alone.
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from '../../src-main/runtime/api';
import { ipcBridge, ipcLink } from './ipc-link';
import { accessToken } from './onboarding/access';
import { FetchEventSource } from './sse';

// Take `#token=...` out of the URL now, before the tab router reads the fragment.
if (!ipcBridge()) accessToken();

/**
 * The local API token for HTTP calls of this page: the household token (`#token=...`, kept for the
 * session) or a paired phone's own token (onboarding/access.ts), read per call because a phone
 * gets its token only after pairing.
 */
export function authHeaders(): Record<string, string> {
  return { authorization: `Bearer ${ipcBridge() ? '' : accessToken()}` };
}

/** The one place that picks the transport: IPC inside the desktop app, HTTP + SSE in a browser. */
function chooseLink(): TRPCLink<AppRouter> {
  if (ipcBridge()) return ipcLink<AppRouter>();
  const url = `${location.origin}/trpc`;
  return splitLink({
    condition: (op) => op.type === 'subscription',
    // Our fetch-based EventSource sends the token as a header, so it never appears in a URL
    // (the server also accepts tRPC's connectionParams, which a plain EventSource would need).
    true: httpSubscriptionLink({
      url,
      EventSource: FetchEventSource,
      eventSourceOptions: () => ({ headers: authHeaders() }),
    }),
    false: httpLink({ url, headers: authHeaders }),
  });
}

export const trpc = createTRPCClient<AppRouter>({ links: [chooseLink()] });
