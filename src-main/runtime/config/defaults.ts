/** §1 of ../shared/spec/hearthnet-reference.md defaults: the all-defaults Config (paths still '' until `resolvePaths`). */
import type { Config, LlmBackendConfig } from './types';

/** Reference EmergencyConfig.probe_targets default. */
export const DEFAULT_PROBE_TARGETS = Object.freeze(['1.1.1.1', '8.8.8.8', 'cloudflare.com', 'quad9.net']);

/** Defaults of one `[[llm.backends]]` entry besides its required `name`. */
export const LLM_BACKEND_DEFAULTS: Omit<LlmBackendConfig, 'name'> = Object.freeze({
  url: null,
  model: null,
  api_key_env: null,
});

/** Freeze an object and every object inside it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** All-defaults Config (reference `default_config`). A fresh deep-frozen object each call. */
export function defaultConfig(): Config {
  return deepFreeze<Config>({
    node: { display_name: '', profile: 'hearth', models_dir: '' },
    identity: { keys_dir: '', auto_generate: true },
    community: { community_id: null, state_dir: '' },
    transport: { host: '0.0.0.0', port: 7080, tls_cert: null, tls_key: null },
    discovery: {
      mdns_enabled: true,
      udp_enabled: true,
      udp_multicast_group: '239.255.42.42',
      udp_port: 42424,
      relay_urls: [],
    },
    bus: { prefer_local: true, local_load_threshold: 0.8 },
    llm: { backends: [] },
    embedding: { model: 'BAAI/bge-small-en-v1.5', device: 'auto' },
    rag: { enabled: true, corpora_dir: '' },
    file: { blobs_dir: '', gc_threshold: 0.8 },
    market: { enabled: true, default_ttl_seconds: 604_800, max_ttl_seconds: 2_592_000 },
    chat: { enabled: true, store_and_forward: true },
    emergency: { probe_targets: [...DEFAULT_PROBE_TARGETS] },
    ui: { host: '127.0.0.1', port: 7860, launch_browser: true },
    observability: {
      log_level: 'info',
      log_dir: '',
      metrics_enabled: true,
      otlp_endpoint: null,
      trackio_project: null,
      trackio_space: null,
    },
  });
}
