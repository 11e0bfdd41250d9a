/**
 * §17 of ../shared/spec/hearthnet-reference.md step 8 for the node-level AI services: LLM backends (configured, plus servers
 * already running on this machine), embeddings, and the standard contracts every node learns so
 * it can route to neighbours' instances.
 */
import type { Config, Env, LlmBackendConfig } from '../config';
import type { Logger } from '../observability';
import { createEmbeddingBackend, EmbeddingService, embeddingDescriptors } from '../services/embedding';
import { buildBackends, detectLocalServers, LlmService, llmDescriptors, type LlmBackend } from '../services/llm';
import { ModelStore } from '../models';
import { ShutdownStack, StartGate, type Startable } from '../lifecycle';
import { offerService } from '../services/base';
import type { NodeComponents } from './components';
import { errorMessage } from '../../common/error-message';

export type AiComponents = Pick<NodeComponents, 'config' | 'bus' | 'metrics' | 'logger'>;

export interface AiInit {
  readonly env?: Env;
  /** Probe 127.0.0.1 for Ollama / LM Studio / llama.cpp / vLLM when no backend is configured. */
  readonly autodetect?: boolean;
}

/**
 * GGUF files in the models folder that no configured backend already serves: a household that
 * copies (or is given) a model file gets it on the mesh without editing any config.
 */
async function folderModels(config: Config): Promise<LlmBackendConfig[]> {
  const configured = new Set(config.llm.backends.filter((b) => b.name === 'llama_cpp').map((b) => b.model));
  const files = await new ModelStore(config.node.models_dir).list().catch(() => []);
  return files
    .filter((f) => !configured.has(f.path) && !configured.has(f.file) && !configured.has(f.name))
    .map((f) => ({ name: 'llama_cpp' as const, url: null, model: f.path, api_key_env: null }));
}

async function backendConfigs(config: Config, log: Logger, autodetect: boolean): Promise<LlmBackendConfig[]> {
  const configured = [...config.llm.backends, ...(await folderModels(config))];
  if (configured.length > 0 || !autodetect) return configured;
  try {
    const found = await detectLocalServers({ timeoutMs: 300 });
    for (const s of found) log.info('found a local LLM server', { kind: s.kind, url: s.url, models: s.models });
    return found.flatMap((s) =>
      s.models
        .slice(0, 8)
        .map((model) => ({ name: s.backend as LlmBackendConfig['name'], url: s.url, model, api_key_env: null })),
    );
  } catch (err) {
    log.warn('local LLM server detection failed', { error: String(err) });
    return [];
  }
}

interface BuiltServices {
  readonly llm: LlmService;
  readonly embedding: EmbeddingService;
  readonly explanation: string | null;
}

/**
 * The node-level AI services as one part: the LLM service over the configured (or detected)
 * backends and the embedding service, both offered on the bus while it runs. The services are
 * built once, at the first start; stop withdraws and stops them, start offers them again.
 */
export class AiServices implements Startable {
  readonly #log: Logger;
  readonly #env: Env;
  readonly #stack: ShutdownStack;
  readonly #gate = new StartGate(
    () => this.#start(),
    () => this.#stack.unwind(),
  );
  #built: BuiltServices | null = null;
  readonly #served = new Set<string>();

  constructor(
    private readonly c: AiComponents,
    private readonly init: AiInit = {},
  ) {
    this.#log = c.logger.forComponent('ai');
    this.#env = init.env ?? process.env;
    this.#stack = new ShutdownStack(this.#log);
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  stop(): Promise<void> {
    return this.#gate.stop();
  }

  get llm(): LlmService {
    return this.#services().llm;
  }

  get embedding(): EmbeddingService {
    return this.#services().embedding;
  }

  /** Why there is no embedding model, for the doctor and RAG (null when there is one). */
  get embeddingExplanation(): string | null {
    return this.#services().explanation;
  }

  #services(): BuiltServices {
    if (!this.#built) throw new Error('the AI services have not started yet (call start() first)');
    return this.#built;
  }

  async #start(): Promise<void> {
    const { config, bus } = this.c;
    const cfg = config();
    for (const x of [...llmDescriptors(), ...embeddingDescriptors()]) bus.learn(x.descriptor, x.paramsCompatible);
    this.#built ??= await this.#build(cfg);
    const { llm, embedding } = this.#built;
    this.#stack.push('llm', await offerService(bus, llm));
    this.#stack.push('embedding', await offerService(bus, embedding));
    for (const c of llm.capabilities()) this.#served.add(String(c.descriptor.params.model));
  }

  async #build(cfg: Config): Promise<BuiltServices> {
    let backends: LlmBackend[] = [];
    try {
      backends = buildBackends(await backendConfigs(cfg, this.#log, this.init.autodetect ?? true), {
        env: this.#env,
        modelsDir: cfg.node.models_dir,
      });
    } catch (err) {
      this.#log.error('LLM backends not started: check [[llm.backends]] in the config', {
        error: errorMessage(err),
      });
    }
    const llm = new LlmService({ backends, metrics: this.c.metrics, log: this.#log });
    const resolved = createEmbeddingBackend(cfg.embedding, { modelsDir: cfg.node.models_dir });
    const embedding = new EmbeddingService({
      backend: resolved.backend,
      explanation: resolved.explanation,
      log: this.#log,
    });
    if (!resolved.backend)
      this.#log.info('no embedding model installed; document search works by keywords only', {
        explanation: resolved.explanation,
      });
    return {
      llm,
      embedding,
      explanation: resolved.backend ? null : resolved.explanation,
    };
  }

  /** Serve a GGUF file from the models folder now (after `models add` / `models pull`), until stop. */
  async serveModelFile(path: string): Promise<void> {
    const cfg = this.c.config();
    const [backend] = buildBackends([{ name: 'llama_cpp', url: null, model: path, api_key_env: null }], {
      env: this.#env,
      modelsDir: cfg.node.models_dir,
    });
    if (!this.#gate.running || backend.models.every((m) => this.#served.has(m.name))) {
      await backend.close();
      return;
    }
    const extra = new LlmService({ backends: [backend], metrics: this.c.metrics, log: this.#log });
    const withdraw = await offerService(this.c.bus, extra);
    for (const m of backend.models) this.#served.add(m.name);
    this.#stack.push('llm (added model)', async () => {
      await withdraw();
      for (const m of backend.models) this.#served.delete(m.name);
    });
  }
}
