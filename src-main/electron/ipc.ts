/** tRPC over Electron IPC: the renderer's requests reach the same AppRouter the CLI uses over HTTP. */
import { ipcMain } from 'electron';
import { appRouter, toTrpcError, type NodeApi } from '../runtime/api';

export const TRPC_CHANNEL = 'hearthnet:trpc';

export interface IpcOperation {
  readonly type: 'query' | 'mutation' | 'subscription';
  readonly path: string;
  readonly input: unknown;
}

type Callable = (input: unknown) => Promise<unknown>;

export function installTrpcIpc(node: NodeApi): () => void {
  const caller = appRouter.createCaller({ node }) as unknown as Record<string, unknown>;
  ipcMain.handle(TRPC_CHANNEL, async (_event, op: IpcOperation) => {
    const fn = op.path.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], caller);
    if (typeof fn !== 'function') throw toTrpcError(new Error(`no procedure ${op.path}`));
    try {
      return await (fn as Callable)(op.input);
    } catch (err) {
      throw toTrpcError(err);
    }
  });
  return () => ipcMain.removeHandler(TRPC_CHANNEL);
}
