/** Preload: exposes the tRPC IPC bridge to the renderer, and nothing else. */
import { contextBridge, ipcRenderer } from 'electron';

const TRPC_CHANNEL = 'hearthnet:trpc';

contextBridge.exposeInMainWorld('hearthnet', {
  trpc: (op: { type: string; path: string; input: unknown }) => ipcRenderer.invoke(TRPC_CHANNEL, op),
});
