/**
 * The node's status as a signal every part of the app can read (house name, mode, community,
 * neighbours), provided once by the shell so tabs do not each poll it.
 */
import { createContext, useContext, type Accessor } from 'solid-js';
import type { StatusReport } from '../../../src-main/runtime/api';
import type { PlainError } from './errors';

export interface NodeStatusValue {
  /** The latest status, or undefined before the first answer. */
  readonly status: Accessor<StatusReport | undefined>;
  /** Set while the node cannot be reached. */
  readonly error: Accessor<PlainError | null>;
  /** True when the app shows the emergency theme (the node says the internet is down). */
  readonly emergency: Accessor<boolean>;
  /** Ask for a fresh status now (after a change this page made). */
  refresh(): void;
}

export const NodeStatusContext = createContext<NodeStatusValue>();

export function useNodeStatus(): NodeStatusValue {
  const v = useContext(NodeStatusContext);
  if (!v) throw new Error('useNodeStatus outside the app shell');
  return v;
}

/** A neighbour's display name from its node id (full or short), falling back to "a neighbour". */
export function neighbourName(status: StatusReport | undefined, nodeId: string): string {
  if (!status) return 'a neighbour';
  if (nodeId === status.node_id || nodeId === status.node_id_short) return status.display_name;
  const p = status.peers.find((x) => x.node_id === nodeId || x.node_id_short === nodeId);
  return p?.display_name ?? 'a neighbour';
}
