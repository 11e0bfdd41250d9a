/**
 * The renderer's tRPC link over Electron IPC (the preload's `window.hearthnetIpc`): queries,
 * mutations and subscriptions reach the same AppRouter as over HTTP. Unsubscribing tells the main
 * process to end the subscription, so nothing is left running there.
 */
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { getTransformer, type TransformerOptions } from '@trpc/client/unstable-internals';
import { observable } from '@trpc/server/observable';
import type { AnyRouter } from '@trpc/server/unstable-core-do-not-import';
import { TRPC_IPC_GLOBAL, type TrpcIpcBridge, type TrpcIpcResponse } from '../../src-main/common/trpc-ipc';

type Listener = (response: TrpcIpcResponse) => void;

/** The preload's bridge, when this page runs inside the desktop app. */
export function ipcBridge(scope: object = globalThis): TrpcIpcBridge | null {
  const bridge = (scope as Record<string, unknown>)[TRPC_IPC_GLOBAL] as TrpcIpcBridge | undefined;
  return bridge && typeof bridge.send === 'function' && typeof bridge.onMessage === 'function' ? bridge : null;
}

export type IpcLinkOptions = { readonly bridge?: TrpcIpcBridge } & TransformerOptions<{ transformer: false }>;

export function ipcLink<TRouter extends AnyRouter>(opts: IpcLinkOptions = {}): TRPCLink<TRouter> {
  const bridge = opts.bridge ?? ipcBridge();
  if (!bridge) throw new Error('ipcLink needs the desktop app (window.hearthnetIpc is missing)');
  const transformer = getTransformer((opts as { transformer?: never }).transformer);
  const pending = new Map<number, Listener>();
  let nextId = 1;
  bridge.onMessage((response) => pending.get(response.id)?.(response));

  return () =>
    ({ op }) =>
      observable((observer) => {
        const id = nextId++;
        const isSubscription = op.type === 'subscription';
        let done = false;
        const finish = () => {
          done = true;
          pending.delete(id);
        };
        pending.set(id, (response) => {
          if ('error' in response) {
            finish();
            observer.error(TRPCClientError.from({ error: transformer.output.deserialize(response.error) as never }));
            return;
          }
          const result = response.result;
          if (result.type === 'data') {
            observer.next({ result: { type: 'data', data: transformer.output.deserialize(result.data) } });
            if (!isSubscription) {
              finish();
              observer.complete();
            }
          } else if (result.type === 'started') {
            observer.next({ result: { type: 'started' } });
          } else {
            finish();
            observer.complete();
          }
        });
        bridge.send({ kind: 'call', id, type: op.type, path: op.path, input: transformer.input.serialize(op.input) });
        return () => {
          if (done) return;
          finish();
          if (isSubscription) bridge.send({ kind: 'stop', id });
        };
      });
}
