/**
 * Serves a tRPC router to renderers over Electron IPC, subscriptions included. Electron is not
 * imported: it takes anything shaped like `ipcMain`, so the whole bridge runs in plain Node tests.
 *
 * Subscriptions are iterated by hand (next() raced against the abort signal) rather than with
 * `for await` and `using`: a generator that carries a native `Symbol.asyncDispose` (newer V8, as
 * in Electron) then ends the same way as on Node 20, and a stuck `next()` never holds a stop.
 */
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  isTrackedEnvelope,
  TRPCError,
  type AnyTRPCRouter,
} from '@trpc/server';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import { parseTrpcIpcRequest, TRPC_IPC_CHANNEL, type TrpcIpcRequest, type TrpcIpcResponse } from '../common/trpc-ipc';

/** The parts of a `WebContents` the bridge uses. */
export interface IpcSender {
  readonly id: number;
  send(channel: string, message: TrpcIpcResponse): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcMainEventLike {
  readonly sender: IpcSender;
}

/** The parts of `ipcMain` the bridge uses. */
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcMainEventLike, message: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: IpcMainEventLike, message: unknown) => void): unknown;
}

export interface TrpcIpcServerOptions<TRouter extends AnyTRPCRouter> {
  readonly ipcMain: IpcMainLike;
  readonly router: TRouter;
  readonly createContext: (event: IpcMainEventLike) => unknown; // a value or a promise of one
  /** Told about errors no renderer can be told about (a malformed message, a send to a closed page). */
  readonly onError?: (err: unknown) => void;
  /**
   * Maps an error thrown mid-stream by a subscription (after the procedure's middleware returned)
   * to a TRPCError; the AppRouter passes its `toTrpcError` edge. Default: tRPC's own mapping.
   */
  readonly toTrpcError?: (err: unknown) => TRPCError;
}

export interface TrpcIpcServer {
  /** Open subscriptions across all renderers (tests check cleanup with it). */
  openSubscriptions(): number;
  /** End every subscription of one renderer (its page crashed or reloaded). */
  dropRenderer(senderId: number): void;
  /** Stop listening and end every subscription. */
  close(): void;
}

const ABORTED = Symbol('aborted');

export function serveTrpcOverIpc<TRouter extends AnyTRPCRouter>(opts: TrpcIpcServerOptions<TRouter>): TrpcIpcServer {
  const config = opts.router._def._config;
  const serialize = (v: unknown) => config.transformer.output.serialize(v) as unknown;
  /** renderer id -> subscription id -> its abort controller */
  const renderers = new Map<number, Map<number, AbortController>>();
  const report = (err: unknown) => opts.onError?.(err);

  const send = (sender: IpcSender, message: TrpcIpcResponse) => {
    if (sender.isDestroyed()) return;
    try {
      sender.send(TRPC_IPC_CHANNEL, message);
    } catch (err) {
      report(err);
    }
  };

  const subsOf = (sender: IpcSender) => {
    let subs = renderers.get(sender.id);
    if (!subs) {
      subs = new Map();
      renderers.set(sender.id, subs);
      sender.once('destroyed', () => dropRenderer(sender.id));
    }
    return subs;
  };

  function dropRenderer(senderId: number): void {
    const subs = renderers.get(senderId);
    if (!subs) return;
    renderers.delete(senderId);
    for (const ac of subs.values()) ac.abort();
  }

  async function call(event: IpcMainEventLike, req: Extract<TrpcIpcRequest, { kind: 'call' }>): Promise<void> {
    const { sender } = event;
    const ac = new AbortController();
    const subs = req.type === 'subscription' ? subsOf(sender) : null;
    if (subs) {
      if (subs.has(req.id)) {
        send(
          sender,
          errorMessage(
            req,
            new TRPCError({ code: 'BAD_REQUEST', message: `subscription id ${req.id} is already open` }),
            undefined,
          ),
        );
        return;
      }
      subs.set(req.id, ac);
    }
    let ctx: unknown;
    try {
      ctx = await opts.createContext(event);
      const result: unknown = await callTRPCProcedure({
        router: opts.router,
        path: req.path,
        type: req.type,
        ctx,
        signal: ac.signal,
        batchIndex: 0,
        getRawInput: () => Promise.resolve(req.input),
      });
      if (!subs) {
        send(sender, { id: req.id, result: { type: 'data', data: serialize(result) } });
        return;
      }
      const iterable = isObservable(result) ? observableToAsyncIterable(result, ac.signal) : result;
      if (!isAsyncIterable(iterable))
        throw new TRPCError({
          code: 'INTERNAL_SERVER_ERROR',
          message: `subscription ${req.path} did not return an async iterable`,
        });
      send(sender, { id: req.id, result: { type: 'started' } });
      await pump(sender, req.id, iterable, ac.signal);
      send(sender, { id: req.id, result: { type: 'stopped' } });
    } catch (err) {
      if (!ac.signal.aborted) send(sender, errorMessage(req, err, ctx));
    } finally {
      if (subs && subs.get(req.id) === ac) subs.delete(req.id);
      ac.abort();
    }
  }

  async function pump(
    sender: IpcSender,
    id: number,
    iterable: AsyncIterable<unknown>,
    signal: AbortSignal,
  ): Promise<void> {
    const iterator = iterable[Symbol.asyncIterator]();
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      if (signal.aborted) resolve(ABORTED);
      else signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
    });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), aborted]);
        if (next === ABORTED || next.done) return;
        // `tracked(id, data)` envelopes travel as { id, data }, as tRPC's own links deliver them.
        const value: unknown = isTrackedEnvelope(next.value) ? { id: next.value[0], data: next.value[1] } : next.value;
        send(sender, { id, result: { type: 'data', data: serialize(value) } });
      }
    } finally {
      // Not awaited: a generator parked on an await finishes its own cleanup once the signal reaches it.
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch(report);
    }
  }

  function errorMessage(req: Extract<TrpcIpcRequest, { kind: 'call' }>, err: unknown, ctx: unknown): TrpcIpcResponse {
    const error = opts.toTrpcError ? opts.toTrpcError(err) : getTRPCErrorFromUnknown(err);
    const shape: unknown = getTRPCErrorShape({ config, error, type: req.type, path: req.path, input: req.input, ctx });
    return { id: req.id, error: serialize(shape) };
  }

  const listener = (event: IpcMainEventLike, raw: unknown) => {
    const req = parseTrpcIpcRequest(raw);
    if (!req) {
      report(new Error('a renderer sent a malformed tRPC IPC message; ignored'));
      return;
    }
    if (req.kind === 'reset') dropRenderer(event.sender.id);
    else if (req.kind === 'stop') renderers.get(event.sender.id)?.get(req.id)?.abort();
    else void call(event, req).catch(report);
  };
  opts.ipcMain.on(TRPC_IPC_CHANNEL, listener);

  return {
    openSubscriptions: () => [...renderers.values()].reduce((n, subs) => n + subs.size, 0),
    dropRenderer,
    close() {
      opts.ipcMain.removeListener(TRPC_IPC_CHANNEL, listener);
      for (const id of [...renderers.keys()]) dropRenderer(id);
    },
  };
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return !!v && typeof v === 'object' && typeof (v as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}
