/**
 * The preload's whole surface: relays tRPC IPC messages between the renderer and the main process.
 * Takes anything shaped like `ipcRenderer`, so tests run it without Electron.
 */
import {
  TRPC_IPC_CHANNEL,
  type TrpcIpcBridge,
  type TrpcIpcRequest,
  type TrpcIpcResponse,
} from '../src-main/common/trpc-ipc';

export interface IpcRendererLike {
  send(channel: string, message: TrpcIpcRequest): void;
  on(channel: string, listener: (event: unknown, message: TrpcIpcResponse) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, message: TrpcIpcResponse) => void): unknown;
}

export function createTrpcIpcBridge(ipcRenderer: IpcRendererLike): TrpcIpcBridge {
  // A fresh page: whatever the previous page of this window had open is ended in the main process.
  ipcRenderer.send(TRPC_IPC_CHANNEL, { kind: 'reset' });
  return {
    send: (request) => ipcRenderer.send(TRPC_IPC_CHANNEL, request),
    onMessage(listener) {
      // The IPC event object (with its `sender`) never reaches the page.
      const relay = (_event: unknown, message: TrpcIpcResponse) => listener(message);
      ipcRenderer.on(TRPC_IPC_CHANNEL, relay);
      return () => {
        ipcRenderer.removeListener(TRPC_IPC_CHANNEL, relay);
      };
    },
  };
}
