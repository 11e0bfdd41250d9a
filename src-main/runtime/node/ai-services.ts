/**
 * §17 of ../shared/spec/hearthnet-reference.md step 8 for the node-level AI services: LLM backends (configured, plus servers
 * already running on this machine), embeddings, and the standard contracts every node learns so
 * it can route to neighbours' instances.
 */
import type { CapabilityBus } from '../bus';
import type { Config, Env, LlmBackendConfig } from '../config';
import type { Logger, Metrics } from '../observability';
import { createEmbeddingBackend, EmbeddingService, embeddingDescriptors } from '../services/embedding';
import { buildBackends, detectLocalServers, LlmService, llmDescriptors, type LlmBackend } from '../services/llm';
import { ModelStore } from '../models';
import { ShutdownStack } from '../lifecycle';
import { offerService } from '../services/base';
import { errorMessage } from '../../common/error-message';

export interface AiServicesDeps {
  readonly config: Config;
  readonly bus: CapabilityBus;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly env?: Env;
  /** Probe 127.0.0.1 for Ollama / LM Studio / llama.cpp / vLLM when no backend is configured. */
  readonly autodetect?: boolean;
}

export interface AiServices {
  readonly llm: LlmService;
  readonly embedding: EmbeddingService;
  /** Why there is no embedding model, for the doctor and RAG (null when there is one). */
  readonly embeddingExplanation: string | null;
  /** Serve a GGUF file from the models folder now (after `models add` / `models pull`). */
  serveModelFile(path: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * GGUF files in the models folder that no configured backend already serves: a household that
 * copies (or is given) a model file gets it on the mesh without editing any config.
 */
async function folderModels(d: AiServicesDeps): Promise<LlmBackendConfig[]> {
  const configured = new Set(d.config.llm.backends.filter((b) => b.name === 'llama_cpp').map((b) => b.model));
  const files = await new ModelStore(d.config.node.models_dir).list().catch(() => []);
  return files
    .filter((f) => !configured.has(f.path) && !configured.has(f.file) && !configured.has(f.name))
    .map((f) => ({ name: 'llama_cpp' as const, url: null, model: f.path, api_key_env: null }));
}

async function backendConfigs(d: AiServicesDeps): Promise<LlmBackendConfig[]> {
  const configured = [...d.config.llm.backends, ...(await folderModels(d))];
  if (configured.length > 0 || !d.autodetect) return configured;
  try {
    const found = await detectLocalServers({ timeoutMs: 300 });
    for (const s of found) d.log.info('found a local LLM server', { kind: s.kind, url: s.url, models: s.models });
    return found.flatMap((s) =>
      s.models
        .slice(0, 8)
        .map((model) => ({ name: s.backend as LlmBackendConfig['name'], url: s.url, model, api_key_env: null })),
    );
  } catch (err) {
    d.log.warn('local LLM server detection failed', { error: String(err) });
    return [];
  }
}

export async function startAiServices(d: AiServicesDeps): Promise<AiServices> {
  const stack = new ShutdownStack(d.log);
  try {
    for (const x of [...llmDescriptors(), ...embeddingDescriptors()]) d.bus.learn(x.descriptor, x.paramsCompatible);

    let backends: LlmBackend[] = [];
    try {
      backends = buildBackends(await backendConfigs(d), {
        env: d.env ?? process.env,
        modelsDir: d.config.node.models_dir,
      });
    } catch (err) {
      d.log.error('LLM backends not started: check [[llm.backends]] in the config', {
        error: errorMessage(err),
      });
    }
    const llm = new LlmService({ backends, metrics: d.metrics, log: d.log });
    stack.push('llm', await offerService(d.bus, llm));

    const resolved = createEmbeddingBackend(d.config.embedding, { modelsDir: d.config.node.models_dir });
    const embedding = new EmbeddingService({
      backend: resolved.backend,
      explanation: resolved.explanation,
      log: d.log,
    });
    stack.push('embedding', await offerService(d.bus, embedding));
    if (!resolved.backend)
      d.log.info('no embedding model installed; document search works by keywords only', {
        explanation: resolved.explanation,
      });

    const served = new Set(llm.capabilities().map((c) => String(c.descriptor.params.model)));
    const serveModelFile = async (path: string) => {
      const [backend] = buildBackends([{ name: 'llama_cpp', url: null, model: path, api_key_env: null }], {
        env: d.env ?? process.env,
        modelsDir: d.config.node.models_dir,
      });
      if (backend.models.every((m) => served.has(m.name))) {
        await backend.close();
        return;
      }
      const extra = new LlmService({ backends: [backend], metrics: d.metrics, log: d.log });
      const withdraw = await offerService(d.bus, extra);
      for (const m of backend.models) served.add(m.name);
      stack.push('llm (added model)', withdraw);
    };

    return {
      llm,
      embedding,
      embeddingExplanation: resolved.backend ? null : resolved.explanation,
      serveModelFile,
      stop: () => stack.unwind(),
    };
  } catch (err) {
    await stack.unwind();
    throw err;
  }
}
