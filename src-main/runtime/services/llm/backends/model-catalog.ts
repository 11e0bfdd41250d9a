/** Known models' metadata (§24 of ../shared/spec/hearthnet-reference.md), so remote backends can declare honest BackendModel entries. */
import type { BackendModel } from './base';

/** Context size assumed for a model we know nothing about, in tokens (small on purpose: never overflow). */
export const UNKNOWN_MODEL_CTX = 4096;

const KNOWN: ReadonlyArray<Omit<BackendModel, 'requires_internet'>> = [
  { name: 'openbmb/MiniCPM4-8B', quant: 'fp16', ctx_max: 32768, modalities: ['text'] },
  { name: 'openbmb/MiniCPM-V-2_6', quant: 'fp16', ctx_max: 8192, modalities: ['text', 'vision'] },
  { name: 'nvidia/llama-3.1-nemotron-70b-instruct', quant: 'api', ctx_max: 128000, modalities: ['text'] },
  { name: 'nvidia/nemotron-mini-4b-instruct', quant: 'api', ctx_max: 4096, modalities: ['text'] },
  { name: 'claude-sonnet-4-6', quant: 'api', ctx_max: 200000, modalities: ['text'] },
];

/**
 * Metadata for `name` as served by a backend. Unknown models get `quant` ("api" for hosted
 * services, else "unknown") and UNKNOWN_MODEL_CTX. Vision stays off in the MVP (§24), so
 * modalities are reported as the model's, but the service only sends text.
 */
export function describeModel(
  name: string,
  requiresInternet: boolean,
  overrides: Partial<BackendModel> = {},
): BackendModel {
  const k = KNOWN.find((m) => m.name.toLowerCase() === name.toLowerCase());
  return {
    name,
    quant: overrides.quant ?? k?.quant ?? (requiresInternet ? 'api' : 'unknown'),
    ctx_max: overrides.ctx_max ?? k?.ctx_max ?? UNKNOWN_MODEL_CTX,
    modalities: overrides.modalities ?? k?.modalities ?? ['text'],
    requires_internet: requiresInternet,
  };
}
