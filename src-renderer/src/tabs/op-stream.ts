/**
 * A long operation of the node (a subscription yielding `OpEvent`s: progress, then done) as a
 * promise with a progress callback and a cancel; unsubscribing cancels the work on the node
 * (what was done so far is kept).
 */
import type { OpEvent } from '../../../src-main/runtime/api';

type Handlers<P, R> = {
  onData: (e: OpEvent<P, R>) => void;
  onError: (err: unknown) => void;
  onComplete: () => void;
};
export type OpSubscribe<P, R> = (h: Handlers<P, R>) => { unsubscribe(): void };

export interface RunningOp<R> {
  readonly result: Promise<R>;
  readonly cancel: () => void;
}

export function runOp<P, R>(subscribe: OpSubscribe<P, R>, onProgress: (p: P) => void): RunningOp<R> {
  let sub: { unsubscribe(): void } | null = null;
  let settled = false;
  let cancel = () => {};
  const result = new Promise<R>((resolve, reject) => {
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      queueMicrotask(() => sub?.unsubscribe());
      f();
    };
    cancel = () => finish(() => reject(new DOMException('cancelled', 'AbortError')));
    sub = subscribe({
      onData: (e) => (e.type === 'progress' ? onProgress(e.progress) : finish(() => resolve(e.result))),
      onError: (err) => finish(() => reject(err)),
      onComplete: () =>
        finish(() => reject(new Error('HearthNet stopped this before it finished. Nothing was lost; try again.'))),
    });
  });
  return { result, cancel: () => cancel() };
}

/** True for a cancel the person asked for (not worth an error message). */
export function isCancel(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
