/** The renderer's tRPC client: IPC inside the Electron app, HTTP (with the local token) in a browser. */
import { createTRPCClient, httpLink, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../../src-main/runtime/api';

interface Bridge {
  trpc(op: { type: string; path: string; input: unknown }): Promise<unknown>;
}

declare global {
  interface Window {
    hearthnet?: Bridge;
  }
}

const ipcLink: TRPCLink<AppRouter> = () => ({ op }) =>
  observable((observer) => {
    window.hearthnet!
      .trpc({ type: op.type, path: op.path, input: op.input })
      .then((data) => {
        observer.next({ result: { type: 'data', data } });
        observer.complete();
      })
      .catch((err: unknown) => observer.error(TRPCClientError.from(err as Error)));
    return () => {};
  });

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
    window.hearthnet
      ? ipcLink
      : httpLink({ url: `${location.origin}/trpc`, headers: () => ({ authorization: `Bearer ${localToken()}` }) }),
  ],
});
