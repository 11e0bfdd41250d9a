/** The renderer's tRPC client: IPC inside the Electron app, HTTP (with the local token) in a browser. */
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../src-main/runtime/api';
import { ipcBridge, ipcLink } from './ipc-link';
import { accessToken } from './onboarding/access';

/** In a browser: the household token (`#token=...`, kept for the session) or a paired phone's own token (onboarding/access.ts). */
const localToken = accessToken;

export const trpc = createTRPCClient<AppRouter>({
  links: [
    ipcBridge()
      ? ipcLink<AppRouter>()
      : httpLink({ url: `${location.origin}/trpc`, headers: () => ({ authorization: `Bearer ${localToken()}` }) }),
  ],
});
