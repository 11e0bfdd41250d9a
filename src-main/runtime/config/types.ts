/**
 * X04 configuration types (§1 of ../shared/spec/hearthnet-reference.md), derived from the one description in `schema.ts`.
 * Field names are snake_case because they are the TOML keys users write (`[transport] port`);
 * a path of `''` means "not chosen yet" and is filled in by `resolvePaths`. Optional values are
 * `null` (TOML has no null: the key is omitted).
 */
import type { Static } from '@sinclair/typebox';
import type { DeepReadonly } from '../schema';
import type { ConfigSchema, LLM_BACKEND_NAMES, LlmBackendSchema, LOG_LEVELS } from './schema';

export { LLM_BACKEND_NAMES, LOG_LEVELS } from './schema';

export type LlmBackendName = (typeof LLM_BACKEND_NAMES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The whole configuration: one of each section. */
export type Config = DeepReadonly<Static<typeof ConfigSchema>>;
export type ConfigSection = keyof Config;

export type NodeConfig = Config['node'];
export type IdentityConfig = Config['identity'];
export type CommunityConfig = Config['community'];
export type TransportConfig = Config['transport'];
export type DiscoveryConfig = Config['discovery'];
export type BusConfig = Config['bus'];
export type LlmBackendConfig = DeepReadonly<Static<typeof LlmBackendSchema>>;
export type LlmConfig = Config['llm'];
export type EmbeddingConfig = Config['embedding'];
export type RagConfig = Config['rag'];
export type FileConfig = Config['file'];
export type MarketConfig = Config['market'];
export type ChatConfig = Config['chat'];
export type EmergencyConfig = Config['emergency'];
export type UiConfig = Config['ui'];
export type ObservabilityConfig = Config['observability'];

/** Environment used to derive locations; tests pass their own instead of mutating process.env. */
export type Env = Readonly<Record<string, string | undefined>>;
