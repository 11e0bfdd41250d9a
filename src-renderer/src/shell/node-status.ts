/**
 * Keeps the node's status live for the whole app through the `onStatus` subscription (the node
 * sends it at once and then on every change, e.g. the internet going down), so the emergency
 * theme follows the node's mode. While the subscription is down the node counts as unreachable.
 */
import { createSignal } from 'solid-js';
import type { StatusReport } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { plainError, type PlainError } from '../ui/errors';
import type { NodeStatusValue } from '../ui/node-status';
import { useSubscription } from '../ui/subscription';

export function createNodeStatus(): NodeStatusValue {
  const [status, setStatus] = createSignal<StatusReport>();
  const [queryError, setQueryError] = createSignal<PlainError | null>(null);
  const query = () =>
    trpc.status
      .query()
      .then((s) => {
        setStatus(s);
        setQueryError(null);
      })
      .catch((err: unknown) => setQueryError(plainError(err)));
  // The first answer comes from a plain query: it is quicker than the stream and says clearly
  // when the page has no access key (a refused stream would only retry).
  void query();
  const live = useSubscription<StatusReport>(
    (h) => trpc.onStatus.subscribe(undefined, h),
    (s) => {
      setStatus(s);
      setQueryError(null);
    },
  );
  return {
    status,
    error: () => queryError() ?? (live.state() === 'reconnecting' ? live.error() : null),
    emergency: () => status()?.mode === 'offline',
    refresh: () => void query(),
  };
}
