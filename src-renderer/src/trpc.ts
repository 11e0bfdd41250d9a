/** The renderer's tRPC client: IPC inside the Electron app, HTTP (with the local token) in a browser. */
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../src-main/runtime/api';
import { ipcBridge, ipcLink } from './ipc-link';

/** In a browser the token arrives once in the URL fragment (`#token=...`) and is kept for the session. */
function localToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('hearthnet-token', fromHash);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('hearthnet-token') ?? '';
}

export const trpc = createTRPCClient<AppRouter>({
  links: [
    ipcBridge()
      ? ipcLink<AppRouter>()
      : httpLink({ url: `${location.origin}/trpc`, headers: () => ({ authorization: `Bearer ${localToken()}` }) }),
  ],
});
