/** The process-wide node-llama-cpp runtime: loaded once from the bundled CPU binary, shared, ref-counted. */
import type { Llama } from 'node-llama-cpp';

/**
 * node-llama-cpp, loaded on first use: its JavaScript alone costs ~40 MB of memory, which a node
 * that serves no local model should not pay.
 */
let lib: Promise<typeof import('node-llama-cpp')> | null = null;
export function llamaLib(): Promise<typeof import('node-llama-cpp')> {
  lib ??= import('node-llama-cpp');
  return lib;
}
import { LlmError } from './errors';

let shared: Promise<Llama> | null = null;
let users = 0;

/**
 * Get the shared runtime. `gpu: false, build: 'never'`: use the prebuilt CPU binary shipped in
 * node_modules and never compile or download anything (users have no toolchain; nodes may be offline).
 */
export async function acquireLlama(): Promise<Llama> {
  users++;
  shared ??= llamaLib()
    .then(({ getLlama, LlamaLogLevel }) =>
      getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error }),
    )
    .catch((e: unknown) => {
      shared = null;
      throw new LlmError('backend_unreachable', 'the bundled llama.cpp runtime could not be loaded on this computer', {
        cause: e,
      });
    });
  try {
    return await shared;
  } catch (e) {
    users--;
    throw e;
  }
}

/** Release one reference; the last one disposes the runtime. */
export async function releaseLlama(): Promise<void> {
  if (users === 0) return;
  users--;
  if (users > 0 || !shared) return;
  const p = shared;
  shared = null;
  const llama = await p.catch(() => null);
  await llama?.dispose();
}
