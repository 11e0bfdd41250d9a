/** Runs a long operation of the running node and hands its frames to the command; resolves to the `done` data. */
import type { OpInputs, OpName } from '../api';
import type { RuntimeInfo } from '../config/runtime-file';
import { CliExit, EXIT } from './exit-codes';
import { opCall } from './local-node';
import type { ProgressBar } from './progress';

export interface OpHandlers {
  /** Each `progress` frame; typically moves a ProgressBar. */
  readonly onProgress?: (data: Record<string, unknown>) => void;
  /** Any other frame before `done` (`sources`, `token`). */
  readonly onFrame?: (event: string, data: Record<string, unknown>) => void;
  /** Finished (bar line ended) before anything else is printed, also on failure. */
  readonly bar?: ProgressBar;
}

export async function runOp<N extends OpName>(
  info: RuntimeInfo,
  name: N,
  input: OpInputs[N],
  h: OpHandlers = {},
): Promise<Record<string, unknown>> {
  try {
    for await (const f of opCall(info, name, input)) {
      const data = (f.data ?? {}) as Record<string, unknown>;
      if (f.event === 'done') return data;
      if (f.event === 'progress') h.onProgress?.(data);
      else h.onFrame?.(f.event, data);
    }
  } finally {
    h.bar?.finish();
  }
  throw new CliExit(
    EXIT.error,
    'the node stopped before the operation finished; run the command again (finished work is kept)',
  );
}
