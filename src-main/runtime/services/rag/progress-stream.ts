/** Turns a long job that reports progress into a frame stream: `progress` frames, then `done` with its result. */
import type { FrameData } from '../../transport/contract';

/**
 * Runs `job` at once; yields a `progress` frame per report and finally `done` carrying the
 * result (or throws the job's error). Reports are few (a handful per batch), so they are queued.
 */
export async function* progressFrames<P extends object, R extends object>(
  job: (report: (p: P) => void) => Promise<R>,
): AsyncGenerator<FrameData> {
  const queue: FrameData[] = [];
  let wake: (() => void) | null = null;
  let settled = false;
  let result: R | undefined;
  let failure: unknown = null;
  job((p) => {
    queue.push({ event: 'progress', data: { ...p } as Record<string, unknown> });
    wake?.();
  })
    .then(
      (r) => (result = r),
      (e: unknown) => (failure = e ?? new Error('job failed')),
    )
    .finally(() => {
      settled = true;
      wake?.();
    });
  for (;;) {
    while (queue.length) yield queue.shift()!;
    if (settled) break;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
  if (failure !== null) throw failure;
  yield { event: 'done', data: { ...(result as R) } as Record<string, unknown> };
}
