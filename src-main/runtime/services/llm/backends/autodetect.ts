/** detectLocalServers: finds LLM servers already running on this machine (loopback only) to offer as backends. */
import { LlmError } from './errors';

/** Default ports of the servers we look for. */
export const DEFAULT_DETECT_PORTS = Object.freeze({ ollama: 11434, lmstudio: 1234, llamacpp_server: 8080, vllm: 8000 });
export type DetectKind = keyof typeof DEFAULT_DETECT_PORTS;
/** Per-probe deadline, in ms: a local server answers in a few ms or not at all. */
export const DETECT_TIMEOUT_MS = 300;

/** Which `[[llm.backends]]` name to configure for each kind (llama.cpp's server speaks the OpenAI format like vLLM). */
const BACKEND_FOR: Readonly<Record<DetectKind, string>> = {
  ollama: 'ollama',
  lmstudio: 'lmstudio',
  llamacpp_server: 'vllm',
  vllm: 'vllm',
};

export interface DetectedServer {
  readonly kind: DetectKind;
  /** The config name to use for it. */
  readonly backend: string;
  readonly url: string;
  readonly models: readonly string[];
}

export interface DetectOptions {
  readonly host?: string;
  readonly ports?: Partial<Record<DetectKind, number>>;
  readonly timeoutMs?: number;
}

function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === '[::1]' || host === 'localhost';
}

async function probe(kind: DetectKind, base: string, timeoutMs: number): Promise<DetectedServer | null> {
  const path = kind === 'ollama' ? '/api/tags' : '/v1/models';
  try {
    const res = await fetch(base + path, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = (await res.json()) as { models?: Array<{ name?: unknown }>; data?: Array<{ id?: unknown }> };
    const list = kind === 'ollama' ? body.models?.map((m) => m.name) : body.data?.map((m) => m.id);
    if (!Array.isArray(list)) return null;
    return {
      kind,
      backend: BACKEND_FOR[kind],
      url: base,
      models: list.filter((x): x is string => typeof x === 'string'),
    };
  } catch {
    return null; // nothing there, or not that kind of server: both mean "not detected"
  }
}

/** Probe each port once, in parallel; returns the servers that answered like the expected kind. Loopback only. */
export async function detectLocalServers(o: DetectOptions = {}): Promise<DetectedServer[]> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host))
    throw new LlmError('bad_request', `auto-detection only probes this computer (127.0.0.1 / ::1), not ${host}`);
  const ports = { ...DEFAULT_DETECT_PORTS, ...o.ports };
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const found = await Promise.all(
    (Object.keys(ports) as DetectKind[]).map((k) =>
      probe(k, `http://${h}:${ports[k]}`, o.timeoutMs ?? DETECT_TIMEOUT_MS),
    ),
  );
  return found.filter((x): x is DetectedServer => x !== null);
}
