/** Preload (built as CommonJS: a sandboxed preload cannot be ESM): exposes the tRPC IPC bridge and nothing else. */
import { contextBridge, ipcRenderer } from 'electron';
import { TRPC_IPC_GLOBAL } from '../src-main/common/trpc-ipc';
import { createTrpcIpcBridge } from './bridge';

contextBridge.exposeInMainWorld(TRPC_IPC_GLOBAL, createTrpcIpcBridge(ipcRenderer));
