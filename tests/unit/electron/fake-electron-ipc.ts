/**
 * A fake ipcMain / ipcRenderer / contextBridge trio with Electron's observable behaviour: messages
 * are structured-cloned and delivered asynchronously, each renderer is a WebContents with an id that
 * can be destroyed, and contextBridge copies what it exposes (functions stay callable).
 */
import { EventEmitter } from 'node:events';
import type { IpcMainEventLike, IpcMainLike, IpcSender } from '../../../src-main/electron/trpc-ipc-server';
import type { IpcRendererLike } from '../../../src-preload/bridge';
import type { TrpcIpcRequest, TrpcIpcResponse } from '../../../src-main/common/trpc-ipc';

type MainListener = (event: IpcMainEventLike, message: unknown) => void;

export class FakeIpcMain implements IpcMainLike {
  private readonly emitter = new EventEmitter();
  on(channel: string, listener: MainListener): this {
    this.emitter.on(channel, listener);
    return this;
  }
  removeListener(channel: string, listener: MainListener): this {
    this.emitter.removeListener(channel, listener);
    return this;
  }
  listenerCount(channel: string): number {
    return this.emitter.listenerCount(channel);
  }
  deliver(channel: string, event: IpcMainEventLike, message: unknown): void {
    this.emitter.emit(channel, event, message);
  }
}

let nextWebContentsId = 1;

/** One renderer: its WebContents (main side) and its ipcRenderer (preload side). */
export class FakeRenderer {
  readonly id = nextWebContentsId++;
  private readonly rendererSide = new EventEmitter();
  private readonly lifecycle = new EventEmitter();
  private destroyed = false;
  /** Messages the main process sent to this renderer, in order. */
  readonly received: TrpcIpcResponse[] = [];

  constructor(private readonly ipcMain: FakeIpcMain) {}

  readonly webContents: IpcSender = {
    id: this.id,
    send: (channel: string, message: TrpcIpcResponse) => {
      if (this.destroyed) throw new Error('Object has been destroyed');
      const copy = structuredClone(message);
      setImmediate(() => {
        if (this.destroyed) return;
        this.received.push(copy);
        this.rendererSide.emit(channel, { sender: 'ipcRenderer' }, copy);
      });
    },
    isDestroyed: () => this.destroyed,
    once: (event: 'destroyed', listener: () => void) => this.lifecycle.once(event, listener),
  };

  readonly ipcRenderer: IpcRendererLike = {
    send: (channel: string, message: TrpcIpcRequest) => {
      const copy = structuredClone(message);
      setImmediate(() => {
        if (!this.destroyed) this.ipcMain.deliver(channel, { sender: this.webContents }, copy);
      });
    },
    on: (channel, listener) => this.rendererSide.on(channel, listener),
    removeListener: (channel, listener) => this.rendererSide.removeListener(channel, listener),
  };

  rendererListeners(channel: string): number {
    return this.rendererSide.listenerCount(channel);
  }

  destroy(): void {
    this.destroyed = true;
    this.lifecycle.emit('destroyed');
  }
}

/** contextBridge.exposeInMainWorld: the page sees a copy; functions are proxied, arguments cloned. */
export function fakeContextBridge(world: Record<string, unknown>) {
  const expose = (value: unknown): unknown => {
    if (typeof value === 'function') {
      return (...args: unknown[]) => {
        const cloned = args.map((a) => (typeof a === 'function' ? a : structuredClone(a)));
        return expose((value as (...a: unknown[]) => unknown)(...cloned));
      };
    }
    if (value && typeof value === 'object')
      return Object.freeze(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expose(v)])));
    return value;
  };
  return {
    exposeInMainWorld(name: string, api: unknown) {
      world[name] = expose(api);
    },
  };
}
