/**
 * Keeps the node's status fresh for the whole app. Polls the `status` query every few seconds
 * (cheap: it is answered from memory) so the emergency theme follows the node's mode; a
 * failed poll marks the node unreachable until the next answer.
 */
import { createSignal, onCleanup } from 'solid-js';
import type { StatusReport } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { plainError, type PlainError } from '../ui/errors';
import type { NodeStatusValue } from '../ui/node-status';

const POLL_MS = 2_000;

export function createNodeStatus(): NodeStatusValue {
  const [status, setStatus] = createSignal<StatusReport>();
  const [error, setError] = createSignal<PlainError | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const poll = async () => {
    clearTimeout(timer);
    try {
      setStatus(await trpc.status.query());
      setError(null);
    } catch (err) {
      setError(plainError(err));
    }
    if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  onCleanup(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return {
    status,
    error,
    emergency: () => status()?.mode === 'offline',
    refresh: () => void poll(),
  };
}
