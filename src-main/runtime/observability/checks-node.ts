/**
 * Doctor checks whose subjects live above observability: capabilities on the mesh, LLM backends,
 * the embedding model. Registered like the standard ones (observability/checks.ts).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Diagnostics } from '../api';
import type { Check, Doctor } from '.';
import { createEmbeddingBackend } from '../services/embedding';

/** Time one backend URL may take to answer. */
export const BACKEND_PROBE_TIMEOUT_MS = 2_000;

export interface NodeCheckExtras {
  /** Capabilities the running node sees (local + remote), or null when no node runs. */
  readonly capabilityCount?: () => Promise<number | null>;
  /** What the running node reported about itself (null when none runs or it did not answer). */
  readonly diagnostics?: Diagnostics | null;
}

const modelsServed: Check = (ctx) => {
  const diag = (ctx.extras as NodeCheckExtras | undefined)?.diagnostics;
  if (!diag) return { ok: true, detail: 'no HearthNet node is running here, so no models are served' };
  const here = diag.models_served.map((m) => m.model);
  if (here.length === 0 && diag.neighbour_models === 0) {
    return {
      ok: false,
      detail: 'no language model is served here or by a neighbour: questions get passages, not answers',
      fix: 'Add a model with `hearthnet models add <file.gguf>`, or copy one a neighbour shares (`hearthnet models list`).',
    };
  }
  const words = here.length ? `serves ${here.join(', ')}` : 'serves no model itself';
  return {
    ok: true,
    detail: `${words}; ${diag.neighbour_models} model(s) from neighbours; ports: peers ${diag.ports.transport}, local api ${diag.ports.api}${diag.unreachable.length ? `; clocks not read from ${diag.unreachable.join(', ')}` : ''}`,
  };
};

const atLeastOneCapability: Check = async (ctx) => {
  const count = await ((ctx.extras as NodeCheckExtras | undefined)?.capabilityCount?.() ?? Promise.resolve(null));
  if (count === null)
    return {
      ok: false,
      detail: 'no HearthNet node is running here',
      fix: 'Start it with `hearthnet run --no-ui` (or open the HearthNet app).',
    };
  if (count === 0)
    return {
      ok: false,
      detail: 'the node offers no capabilities and sees none from neighbours',
      fix: 'Join a community (ask a neighbour for an invite) or add a model with `hearthnet models add`.',
    };
  return { ok: true, detail: `${count} capabilities reachable on the mesh` };
};

const llmBackendReachable: Check = async (ctx, signal) => {
  const backends = ctx.config.llm.backends;
  if (backends.length === 0) return { ok: true, detail: "no LLM backend configured here; neighbours' models are used" };
  const problems: string[] = [];
  for (const b of backends) {
    if (b.name === 'llama_cpp') {
      const path = b.model && (isAbsolute(b.model) ? b.model : join(ctx.config.node.models_dir, b.model));
      if (!path || !existsSync(path)) problems.push(`llama_cpp model file ${path ?? '(none)'} is missing`);
      continue;
    }
    if (!b.url) continue;
    const probe = b.name === 'ollama' ? '/api/tags' : '/v1/models';
    try {
      const res = await fetch(b.url.replace(/\/+$/, '').replace(/\/v1$/, '') + probe, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(BACKEND_PROBE_TIMEOUT_MS)]),
      });
      if (res.status >= 500) problems.push(`${b.name} at ${b.url} answered ${res.status}`);
    } catch {
      problems.push(`${b.name} at ${b.url} does not answer`);
    }
  }
  if (problems.length)
    return {
      ok: false,
      detail: problems.join('; '),
      fix: 'Start the model server (Ollama, LM Studio, ...) or fix [[llm.backends]] in the config; `hearthnet models list` shows installed model files.',
    };
  return { ok: true, detail: `${backends.length} LLM backend(s) reachable` };
};

const embeddingModel: Check = (ctx) => {
  const r = createEmbeddingBackend(ctx.config.embedding, { modelsDir: ctx.config.node.models_dir });
  if (r.backend) return { ok: true, detail: `embedding model ${ctx.config.embedding.model} installed` };
  return {
    ok: true,
    detail: 'no embedding model installed: document search works by keywords only',
    fix: `To search by meaning, add a model folder with \`hearthnet models add-embedding <folder> --use\` (from a neighbour or a download).`,
  };
};

export const NODE_CHECK_NAMES = [
  'at_least_one_capability',
  'llm_backend_reachable',
  'embedding_model',
  'models_served',
] as const;

export function registerNodeChecks(doctor: Doctor): void {
  doctor.register('at_least_one_capability', atLeastOneCapability);
  doctor.register('llm_backend_reachable', llmBackendReachable);
  doctor.register('embedding_model', embeddingModel);
  doctor.register('models_served', modelsServed);
}
