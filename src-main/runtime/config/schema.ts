/**
 * The config, described once (§1 X04 of ../shared/spec/hearthnet-reference.md). Its
 * TypeScript types (`types.ts`), its defaults, the checks of a TOML file and of a Config, the
 * derived paths and what `saveConfig` writes all come from this one TypeBox description.
 *
 * Annotations beside the JSON Schema keywords (ajv runs with strict: false):
 * - `expected`: what the value must be, in the words a person reads in an error;
 * - `code`: the ConfigError code of a refused value (default `out_of_range`);
 * - `derived`: a path key filled by `resolvePaths` with that HearthPaths location when empty,
 *   or `null` for an optional file path that stays unset.
 */
import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { PROFILES } from '../../common';
import { Nullable, OneOf } from '../schema';

/** The LLM backends the reference knows (§1 LlmBackendConfig.name). */
export const LLM_BACKEND_NAMES = [
  'llama_cpp',
  'ollama',
  'lmstudio',
  'vllm',
  'hf_api',
  'anthropic_api',
  'nemotron',
  'openbmb',
] as const;

/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Reference EmergencyConfig.probe_targets default. */
export const DEFAULT_PROBE_TARGETS = Object.freeze(['1.1.1.1', '8.8.8.8', 'cloudflare.com', 'quad9.net']);

const PORT_MAX = 65_535;
const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

const str = (dflt: string, expected = 'text in quotes') => Type.String({ default: dflt, expected });
const optStr = (expected = 'text in quotes') => Nullable(Type.String(), { default: null, expected });
const bool = (dflt: boolean) => Type.Boolean({ default: dflt, expected: 'true or false' });
/** A path key; '' = not chosen yet, filled by `resolvePaths` from the HearthPaths location `derived`. */
const path = (derived: 'models' | 'keys' | 'state' | 'logs' | 'blobs' | 'corpora') =>
  Type.String({ default: '', derived, expected: 'a folder or file path in quotes' });
const optPath = () => Nullable(Type.String(), { default: null, derived: null, expected: 'a file path in quotes' });
const port = (dflt: number, min: number) =>
  Type.Integer({
    default: dflt,
    minimum: min,
    maximum: PORT_MAX,
    expected: `a whole number from ${min} to ${PORT_MAX} (a port${min === 0 ? '; 0 picks a free one' : ''})`,
  });
const ratio = (dflt: number) =>
  Type.Number({ default: dflt, minimum: 0, maximum: 1, expected: 'a fraction from 0 to 1 (e.g. 0.8)' });
const seconds = (dflt: number) =>
  Type.Integer({ default: dflt, minimum: 1, expected: 'a whole number of seconds above 0' });
const texts = (dflt: readonly string[]) =>
  Type.Array(Type.String(), { default: [...dflt], expected: 'a list of texts, like ["a", "b"]' });

/** A `[section]` table: no unknown keys, every key filled from its default when absent. */
function section<P extends TProperties>(name: string, properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, default: {}, expected: `a [${name}] table` });
}

/** One `[[llm.backends]]` entry: `name` is required, the rest optional. */
export const LlmBackendSchema = Type.Object(
  {
    name: OneOf(LLM_BACKEND_NAMES, { code: 'unknown_backend', expected: `one of ${LLM_BACKEND_NAMES.join(', ')}` }),
    url: optStr(),
    model: optStr(),
    /** Name of the environment variable holding the API key (never the key itself). */
    api_key_env: optStr(),
  },
  { additionalProperties: false, expected: 'a [[llm.backends]] table' },
);

export const ConfigSchema = Type.Object(
  {
    /** Node-level settings users see in the app (not in the reference; see docs/config.md). */
    node: section('node', {
      /** Household name shown to neighbours; '' until `hearthnet init` asks for it. */
      display_name: str(''),
      profile: OneOf(PROFILES, { default: 'hearth', expected: `one of ${PROFILES.join(', ')}` }),
      models_dir: path('models'),
    }),
    identity: section('identity', { keys_dir: path('keys'), auto_generate: bool(true) }),
    community: section('community', {
      community_id: optStr(),
      /** Holds the event log, snapshots and runtime.json. */
      state_dir: path('state'),
    }),
    transport: section('transport', {
      host: str('0.0.0.0'),
      /** 0 = pick a free port (the bound port is written to runtime.json). */
      port: port(7080, 0),
      /** The node's own TLS certificate (PEM) instead of the generated one; set with tls_key. */
      tls_cert: optPath(),
      tls_key: optPath(),
    }),
    discovery: section('discovery', {
      mdns_enabled: bool(true),
      udp_enabled: bool(true),
      udp_multicast_group: Type.String({
        default: '239.255.42.42',
        pattern: `^(22[4-9]|23\\d)\\.${octet}\\.${octet}\\.${octet}$`,
        expected: 'an IPv4 multicast address (224.0.0.0 to 239.255.255.255)',
      }),
      udp_port: port(42_424, 1),
    }),
    bus: section('bus', {
      prefer_local: bool(true),
      /** 0..1: local load above which the router prefers a neighbour. */
      local_load_threshold: ratio(0.8),
    }),
    llm: section('llm', {
      backends: Type.Array(LlmBackendSchema, { default: [], expected: 'a list of [[llm.backends]] tables' }),
    }),
    embedding: section('embedding', { model: str('BAAI/bge-small-en-v1.5') }),
    rag: section('rag', { enabled: bool(true), corpora_dir: path('corpora') }),
    file: section('file', {
      blobs_dir: path('blobs'),
      /** 0..1: disk fill ratio that triggers blob GC. */
      gc_threshold: ratio(0.8),
    }),
    market: section('market', {
      enabled: bool(true),
      default_ttl_seconds: seconds(604_800),
      max_ttl_seconds: seconds(2_592_000),
    }),
    chat: section('chat', { enabled: bool(true), store_and_forward: bool(true) }),
    emergency: section('emergency', { probe_targets: texts(DEFAULT_PROBE_TARGETS) }),
    ui: section('ui', { host: str('127.0.0.1'), port: port(7860, 0) }),
    observability: section('observability', {
      log_level: OneOf(LOG_LEVELS, { default: 'info', expected: `one of ${LOG_LEVELS.join(', ')}` }),
      log_dir: path('logs'),
      metrics_enabled: bool(true),
      /** Base URL of an OTLP/HTTP collector; enables trace and metric export when set. */
      otlp_endpoint: optStr(),
      /** Local trackio project name; enables the trackio exporter when set. */
      trackio_project: optStr(),
      /** HF Space to mirror trackio runs to. */
      trackio_space: optStr(),
    }),
  },
  { additionalProperties: false },
);

/**
 * Keys of the reference that HearthNet does not have, and why (docs/config.md). A file that still
 * sets one is refused with this reason (unknown_key), so nobody believes it does something.
 */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  'discovery.relay_urls':
    'HearthNet has no relay; neighbours are found on the local network (mDNS, UDP multicast) or added by address with `hearthnet peers add host:port`',
  'ui.launch_browser':
    'the desktop app opens its own window, and `hearthnet run --ui` prints the address to open (it holds the API token, so it is not passed to another program)',
  'embedding.device':
    'embeddings run on the CPU (ONNX Runtime CPU build, or Model2Vec static vectors); there is no device to choose',
};

/** The section names, in the order `saveConfig` writes them. */
export const SECTIONS = Object.keys(ConfigSchema.properties) as (keyof typeof ConfigSchema.properties)[];
