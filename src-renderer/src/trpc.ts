/** The renderer's tRPC client: IPC inside the Electron app, HTTP (with the local token) in a browser. */
import { createTRPCClient, httpLink, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../../src-main/runtime/api';
import { accessToken } from './onboarding/access';

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

/** In a browser: the household token (`#token=...`, kept for the session) or a paired phone's own token (onboarding/access.ts). */
const localToken = accessToken;

export const trpc = createTRPCClient<AppRouter>({
  links: [
    window.hearthnet
      ? ipcLink
      : httpLink({ url: `${location.origin}/trpc`, headers: () => ({ authorization: `Bearer ${localToken()}` }) }),
  ],
});
