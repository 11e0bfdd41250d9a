/** The TOML shape of the config: every section, every key and its kind. Drives parse and save. */
import type { Config, ConfigSection } from './types';

/** How a key's TOML value is checked and read. `?` = may be omitted (null). */
export type FieldKind = 'string' | 'string?' | 'path' | 'path?' | 'bool' | 'int' | 'float' | 'string[]' | 'backends';

type Schema = { readonly [S in ConfigSection]: { readonly [K in keyof Config[S]]-?: FieldKind } };

export const CONFIG_SCHEMA: Schema = {
  node: { display_name: 'string', profile: 'string', models_dir: 'path' },
  identity: { keys_dir: 'path', auto_generate: 'bool' },
  community: { community_id: 'string?', state_dir: 'path' },
  transport: { host: 'string', port: 'int', tls_cert: 'path?', tls_key: 'path?' },
  discovery: {
    mdns_enabled: 'bool',
    udp_enabled: 'bool',
    udp_multicast_group: 'string',
    udp_port: 'int',
    relay_urls: 'string[]',
  },
  bus: { prefer_local: 'bool', local_load_threshold: 'float' },
  llm: { backends: 'backends' },
  embedding: { model: 'string', device: 'string' },
  rag: { enabled: 'bool', corpora_dir: 'path' },
  file: { blobs_dir: 'path', gc_threshold: 'float' },
  market: { enabled: 'bool', default_ttl_seconds: 'int', max_ttl_seconds: 'int' },
  chat: { enabled: 'bool', store_and_forward: 'bool' },
  emergency: { probe_targets: 'string[]' },
  ui: { host: 'string', port: 'int', launch_browser: 'bool' },
  observability: {
    log_level: 'string',
    log_dir: 'path',
    metrics_enabled: 'bool',
    otlp_endpoint: 'string?',
    trackio_project: 'string?',
    trackio_space: 'string?',
  },
};

/** Keys of one `[[llm.backends]]` entry. */
export const BACKEND_SCHEMA = { name: 'string', url: 'string?', model: 'string?', api_key_env: 'string?' } as const;

export const SECTIONS = Object.keys(CONFIG_SCHEMA) as ConfigSection[];

/** What a kind means, in words a person reads in an error. */
export const EXPECTED: Readonly<Record<FieldKind, string>> = {
  string: 'text in quotes',
  'string?': 'text in quotes',
  path: 'a folder or file path in quotes',
  'path?': 'a folder or file path in quotes',
  bool: 'true or false',
  int: 'a whole number',
  float: 'a number',
  'string[]': 'a list of texts, like ["a", "b"]',
  backends: 'a list of [[llm.backends]] tables',
};
