/**
 * The tRPC IPC bridge end to end: a real tRPC client with ipcLink in the "page", the preload's bridge
 * exposed through a contextBridge copy, messages cloned across a fake ipcMain/ipcRenderer pair, and a
 * router built with the AppRouter's own tRPC instance (error formatter, error edge) in "main".
 * Also run under the Node major of the pinned Electron (trpc-ipc-electron-node.test.ts).
 */
import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { afterEach, describe, expect, it } from 'vitest';
import { HearthError } from '../../../src-main/common';
import { TRPC_IPC_CHANNEL, TRPC_IPC_GLOBAL, type TrpcIpcBridge } from '../../../src-main/common/trpc-ipc';
import { proc, t, toTrpcError } from '../../../src-main/runtime/api/trpc';
import { serveTrpcOverIpc, type TrpcIpcServer } from '../../../src-main/electron/trpc-ipc-server';
import { createTrpcIpcBridge } from '../../../src-preload/bridge';
import { ipcBridge, ipcLink } from '../../../src-renderer/src/ipc-link';
import { fakeContextBridge, FakeIpcMain, FakeRenderer } from './fake-electron-ipc';

const cleanups: string[] = [];
const never = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const testRouter = t.router({
  echo: proc
    .input((v) => v as { text: string })
    .query(({ input, ctx }) => ({ text: input.text, by: (ctx as unknown as { who: string }).who })),
  add: proc.input((v) => v as { a: number; b: number }).mutation(({ input }) => input.a + input.b),
  refuse: proc.query(() => {
    throw new HearthError('not_found', 'no such neighbour');
  }),
  countTo: proc
    .input((v) => v as { n: number })
    .subscription(async function* ({ input, signal }) {
      try {
        for (let i = 1; i <= input.n; i++) {
          if (signal?.aborted) return;
          yield i;
          await sleep(2);
        }
      } finally {
        cleanups.push(`countTo:${input.n}`);
      }
    }),
  /** Yields once, then parks on an await until aborted: unsubscribing must still clean it up. */
  parked: proc
    .input((v) => v as { tag: string })
    .subscription(async function* ({ input, signal }) {
      try {
        yield 'ready';
        await never(signal);
      } finally {
        cleanups.push(`parked:${input.tag}`);
      }
    }),
  legacy: proc.subscription(() =>
    observable<string>((emit) => {
      emit.next('a');
      emit.next('b');
      emit.complete();
      return () => cleanups.push('legacy');
    }),
  ),
  // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
  failing: proc.subscription(async function* () {
    yield 1;
    throw new HearthError('partition', 'the street is cut off');
  }),
});
type TestRouter = typeof testRouter;

interface Harness {
  ipcMain: FakeIpcMain;
  renderer: FakeRenderer;
  server: TrpcIpcServer;
  world: Record<string, unknown>;
  client: ReturnType<typeof createTRPCClient<TestRouter>>;
  errors: unknown[];
}

let harness: Harness | null = null;

function loadPage(ipcMain: FakeIpcMain, renderer: FakeRenderer) {
  const world: Record<string, unknown> = {};
  // What src-preload/index.ts does, with the fakes in place of Electron's modules.
  fakeContextBridge(world).exposeInMainWorld(TRPC_IPC_GLOBAL, createTrpcIpcBridge(renderer.ipcRenderer));
  const bridge = ipcBridge(world);
  if (!bridge) throw new Error('the preload exposed no bridge');
  return { world, client: createTRPCClient<TestRouter>({ links: [ipcLink({ bridge })] }) };
}

function setup(): Harness {
  const ipcMain = new FakeIpcMain();
  const renderer = new FakeRenderer(ipcMain);
  const errors: unknown[] = [];
  const server = serveTrpcOverIpc({
    ipcMain,
    router: testRouter,
    createContext: () => ({ who: 'main' }),
    onError: (e) => errors.push(e),
    toTrpcError,
  });
  const { world, client } = loadPage(ipcMain, renderer);
  harness = { ipcMain, renderer, server, world, client, errors };
  return harness;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function collect<T>(
  subscribe: (handlers: { onData: (v: T) => void; onError: (e: unknown) => void; onComplete: () => void }) => {
    unsubscribe(): void;
  },
) {
  const state = { values: [] as T[], error: null as unknown, completed: false, unsubscribe: () => {} };
  const sub = subscribe({
    onData: (v) => state.values.push(v),
    onError: (e) => (state.error = e),
    onComplete: () => (state.completed = true),
  });
  state.unsubscribe = () => sub.unsubscribe();
  return state;
}

afterEach(() => {
  harness?.server.close();
  harness = null;
  cleanups.length = 0;
});

describe('tRPC over IPC (Node ' + process.versions.node + ')', () => {
  it('the page sees only the bridge, with nothing but send and onMessage', () => {
    const { world } = setup();
    expect(Object.keys(world)).toEqual([TRPC_IPC_GLOBAL]);
    expect(Object.keys(world[TRPC_IPC_GLOBAL] as object).sort()).toEqual(['onMessage', 'send']);
  });

  it('carries queries and mutations with their context, and maps domain errors to the wire shape', async () => {
    const { client } = setup();
    expect(await client.echo.query({ text: 'hello' })).toEqual({ text: 'hello', by: 'main' });
    expect(await client.add.mutate({ a: 2, b: 40 })).toBe(42);
    const err = await client.refuse.query().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    const clientErr = err as TRPCClientError<TestRouter>;
    expect(clientErr.message).toBe('no such neighbour');
    expect(clientErr.data?.code).toBe('NOT_FOUND');
    expect((clientErr.data as unknown as { wire: { code: string } }).wire.code).toBe('not_found');
  });

  it('an unknown procedure is a NOT_FOUND error, not a hang', async () => {
    const { client } = setup();
    const untyped = client as unknown as { nope: { query(): Promise<unknown> } };
    const err = (await untyped.nope.query().catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(err.data?.code).toBe('NOT_FOUND');
  });

  it('streams a subscription to its end, then frees it in main', async () => {
    const { client, server } = setup();
    const sub = collect<number>((h) => client.countTo.subscribe({ n: 5 }, h));
    await waitFor(() => sub.completed, 'the subscription to complete');
    expect(sub.values).toEqual([1, 2, 3, 4, 5]);
    expect(sub.error).toBeNull();
    await waitFor(() => server.openSubscriptions() === 0, 'main to free the subscription');
    expect(cleanups).toContain('countTo:5');
  });

  it('unsubscribing ends the generator in main even while it is parked on an await', async () => {
    const { client, server, renderer } = setup();
    const sub = collect<string>((h) => client.parked.subscribe({ tag: 'x' }, h));
    await waitFor(() => sub.values.length === 1, 'the first value');
    expect(server.openSubscriptions()).toBe(1);
    sub.unsubscribe();
    await waitFor(() => cleanups.includes('parked:x'), 'the generator cleanup');
    await waitFor(() => server.openSubscriptions() === 0, 'main to free the subscription');
    const dataAfter = renderer.received.filter((m) => 'result' in m && m.result.type === 'data').length;
    await sleep(20);
    expect(renderer.received.filter((m) => 'result' in m && m.result.type === 'data').length).toBe(dataAfter);
  });

  it('serves observable subscriptions too, and an error mid-stream reaches onError', async () => {
    const { client } = setup();
    const legacy = collect<string>((h) => client.legacy.subscribe(undefined, h));
    await waitFor(() => legacy.completed, 'the observable to complete');
    expect(legacy.values).toEqual(['a', 'b']);
    const failing = collect<number>((h) => client.failing.subscribe(undefined, h));
    await waitFor(() => failing.error !== null, 'the error');
    expect(failing.values).toEqual([1]);
    expect((failing.error as TRPCClientError<TestRouter>).data?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('a renderer that goes away (crash, closed window) leaves no subscription behind', async () => {
    const { client, server, renderer } = setup();
    const a = collect<string>((h) => client.parked.subscribe({ tag: 'a' }, h));
    const b = collect<string>((h) => client.parked.subscribe({ tag: 'b' }, h));
    await waitFor(() => a.values.length === 1 && b.values.length === 1, 'both subscriptions');
    expect(server.openSubscriptions()).toBe(2);
    renderer.destroy();
    await waitFor(() => cleanups.includes('parked:a') && cleanups.includes('parked:b'), 'both generators to clean up');
    expect(server.openSubscriptions()).toBe(0);
  });

  it('a reloaded page ends what the previous page had open', async () => {
    const { client, server, renderer, ipcMain } = setup();
    const sub = collect<string>((h) => client.parked.subscribe({ tag: 'old' }, h));
    await waitFor(() => sub.values.length === 1, 'the first value');
    const reloaded = loadPage(ipcMain, renderer);
    await waitFor(() => cleanups.includes('parked:old'), 'the old page subscription to end');
    expect(server.openSubscriptions()).toBe(0);
    expect(await reloaded.client.add.mutate({ a: 1, b: 1 })).toBe(2);
  });

  it('ignores and reports malformed messages; close() stops listening and ends everything', async () => {
    const { client, server, renderer, ipcMain, errors } = setup();
    renderer.ipcRenderer.send(TRPC_IPC_CHANNEL, { kind: 'call', id: -1, type: 'query', path: 'echo' } as never);
    renderer.ipcRenderer.send(TRPC_IPC_CHANNEL, { kind: 'call', id: 9, type: 'query', path: '../etc' } as never);
    await waitFor(() => errors.length === 2, 'both malformed messages to be reported');
    const sub = collect<string>((h) => client.parked.subscribe({ tag: 'c' }, h));
    await waitFor(() => sub.values.length === 1, 'the first value');
    server.close();
    expect(ipcMain.listenerCount(TRPC_IPC_CHANNEL)).toBe(0);
    await waitFor(() => cleanups.includes('parked:c'), 'the generator cleanup');
    expect(server.openSubscriptions()).toBe(0);
  });

  it('a subscription generator in this runtime is what Electron runs (asyncDispose present from Node 24)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    const gen = (async function* () {})() as unknown as Record<symbol, unknown>;
    const dispose = (Symbol as unknown as { asyncDispose?: symbol }).asyncDispose;
    const hasNativeDispose = !!dispose && typeof gen[dispose] === 'function';
    if (major >= 24) expect(hasNativeDispose).toBe(true);
    expect(typeof hasNativeDispose).toBe('boolean');
  });
});

export type { TrpcIpcBridge };
