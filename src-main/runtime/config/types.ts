/**
 * X04 configuration types (§1 of ../shared/spec/hearthnet-reference.md). Field names are snake_case because they are the
 * TOML keys users write (`[transport] port`); a path of `''` means "not chosen yet" and is
 * filled in by `resolvePaths`. Optional values are `null` (TOML has no null: the key is omitted).
 */
import type { Profile } from '../../common';

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
export type LlmBackendName = (typeof LLM_BACKEND_NAMES)[number];

/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Node-level settings users see in the app (not in the reference; see docs/decisions/config.md). */
export interface NodeConfig {
  /** Household name shown to neighbours; '' until `hearthnet init` asks for it. */
  readonly display_name: string;
  readonly profile: Profile;
  /** Where downloaded models live; '' = derived location. */
  readonly models_dir: string;
}

export interface IdentityConfig {
  readonly keys_dir: string;
  readonly auto_generate: boolean;
}

export interface CommunityConfig {
  readonly community_id: string | null;
  /** Holds the event log, snapshots and runtime.json. */
  readonly state_dir: string;
}

export interface TransportConfig {
  readonly host: string;
  /** 0 = pick a free port (the bound port is written to runtime.json). */
  readonly port: number;
  readonly tls_cert: string | null;
  readonly tls_key: string | null;
}

export interface DiscoveryConfig {
  readonly mdns_enabled: boolean;
  readonly udp_enabled: boolean;
  readonly udp_multicast_group: string;
  readonly udp_port: number;
  readonly relay_urls: readonly string[];
}

export interface BusConfig {
  readonly prefer_local: boolean;
  /** 0..1: local load above which the router prefers a neighbour. */
  readonly local_load_threshold: number;
}

export interface LlmBackendConfig {
  readonly name: LlmBackendName;
  readonly url: string | null;
  readonly model: string | null;
  /** Name of the environment variable holding the API key (never the key itself). */
  readonly api_key_env: string | null;
}

export interface LlmConfig {
  readonly backends: readonly LlmBackendConfig[];
}

export interface EmbeddingConfig {
  readonly model: string;
  readonly device: string;
}

export interface RagConfig {
  readonly enabled: boolean;
  readonly corpora_dir: string;
}

export interface FileConfig {
  readonly blobs_dir: string;
  /** 0..1: disk fill ratio that triggers blob GC. */
  readonly gc_threshold: number;
}

export interface MarketConfig {
  readonly enabled: boolean;
  readonly default_ttl_seconds: number;
  readonly max_ttl_seconds: number;
}

export interface ChatConfig {
  readonly enabled: boolean;
  readonly store_and_forward: boolean;
}

export interface EmergencyConfig {
  readonly probe_targets: readonly string[];
}

export interface UiConfig {
  readonly host: string;
  readonly port: number;
  readonly launch_browser: boolean;
}

export interface ObservabilityConfig {
  readonly log_level: LogLevel;
  readonly log_dir: string;
  readonly metrics_enabled: boolean;
  readonly otlp_endpoint: string | null;
  /** Local trackio project name; enables the trackio exporter when set. */
  readonly trackio_project: string | null;
  /** HF Space to mirror trackio runs to. */
  readonly trackio_space: string | null;
}

/** The whole configuration: one of each section. */
export interface Config {
  readonly node: NodeConfig;
  readonly identity: IdentityConfig;
  readonly community: CommunityConfig;
  readonly transport: TransportConfig;
  readonly discovery: DiscoveryConfig;
  readonly bus: BusConfig;
  readonly llm: LlmConfig;
  readonly embedding: EmbeddingConfig;
  readonly rag: RagConfig;
  readonly file: FileConfig;
  readonly market: MarketConfig;
  readonly chat: ChatConfig;
  readonly emergency: EmergencyConfig;
  readonly ui: UiConfig;
  readonly observability: ObservabilityConfig;
}

export type ConfigSection = keyof Config;

/** Environment used to derive locations; tests pass their own instead of mutating process.env. */
export type Env = Readonly<Record<string, string | undefined>>;
