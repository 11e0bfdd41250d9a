/**
 * The messages of tRPC over Electron IPC (docs/protocol/desktop-ipc.md). Shared by the main process
 * (which serves the AppRouter), the preload (which only relays them) and the renderer's link.
 * One channel each way; every call carries an id chosen by the renderer, unique per page load.
 */

/** The one IPC channel of the bridge (both directions). */
export const TRPC_IPC_CHANNEL = 'hearthnet:trpc';

export type TrpcIpcProcedureType = 'query' | 'mutation' | 'subscription';

/** Renderer -> main. */
export type TrpcIpcRequest =
  | {
      readonly kind: 'call';
      readonly id: number;
      readonly type: TrpcIpcProcedureType;
      readonly path: string;
      readonly input: unknown;
    }
  /** The renderer unsubscribed: end subscription `id` and free what it holds. */
  | { readonly kind: 'stop'; readonly id: number }
  /** A page (re)loaded: end every subscription this renderer had open (its ids start over). */
  | { readonly kind: 'reset' };

/** Main -> renderer: a tRPC response message (data already serialised by the router's transformer). */
export type TrpcIpcResponse =
  | {
      readonly id: number;
      readonly result:
        { readonly type: 'data'; readonly data: unknown } | { readonly type: 'started' } | { readonly type: 'stopped' };
    }
  | { readonly id: number; readonly error: unknown };

/** What the preload exposes as `window.hearthnetIpc`, and nothing else. */
export interface TrpcIpcBridge {
  send(request: TrpcIpcRequest): void;
  /** Returns a function that stops listening. */
  onMessage(listener: (response: TrpcIpcResponse) => void): () => void;
}

/** The global name the preload exposes the bridge under. */
export const TRPC_IPC_GLOBAL = 'hearthnetIpc';

const KINDS = new Set(['call', 'stop', 'reset']);
const TYPES = new Set(['query', 'mutation', 'subscription']);
/** Longest procedure path accepted (paths are short dotted names). */
const MAX_PATH_LENGTH = 200;

/** Checks a message that arrived from a renderer; returns null for anything malformed. */
export function parseTrpcIpcRequest(raw: unknown): TrpcIpcRequest | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.kind !== 'string' || !KINDS.has(m.kind)) return null;
  if (m.kind === 'reset') return { kind: 'reset' };
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id) || m.id < 0) return null;
  if (m.kind === 'stop') return { kind: 'stop', id: m.id };
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return null;
  if (
    typeof m.path !== 'string' ||
    m.path.length === 0 ||
    m.path.length > MAX_PATH_LENGTH ||
    !/^[A-Za-z0-9_.]+$/.test(m.path)
  )
    return null;
  return { kind: 'call', id: m.id, type: m.type as TrpcIpcProcedureType, path: m.path, input: m.input };
}
