/** Turns a long job that reports progress into a frame stream: `progress` frames, then `done` with its result. */
import type { FrameData } from '../../transport/contract';

/**
 * Runs `job` at once; yields a `progress` frame per report and finally `done` carrying the
 * result (or throws the job's error). Reports are few (a handful per batch), so they are queued.
 */
export async function* progressFrames<R extends object>(
  job: (report: (p: object) => void) => Promise<R>,
): AsyncGenerator<FrameData> {
  const queue: FrameData[] = [];
  let wake: (() => void) | null = null;
  // Set by the job's callbacks: widened so the loop's checks are not read as constant.
  let outcome = null as { ok: true; result: R } | { ok: false; error: unknown } | null;
  job((p) => {
    queue.push({ event: 'progress', data: { ...p } });
    wake?.();
  }).then(
    (result) => {
      outcome = { ok: true, result };
      wake?.();
    },
    (e: unknown) => {
      outcome = { ok: false, error: e ?? new Error('job failed') };
      wake?.();
    },
  );
  for (;;) {
    for (let f = queue.shift(); f; f = queue.shift()) yield f;
    if (outcome) break;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
  if (!outcome.ok) throw outcome.error;
  yield { event: 'done', data: { ...outcome.result } as Record<string, unknown> };
}
