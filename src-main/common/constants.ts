/** §0.2 of ../shared/spec/hearthnet-reference.md: every hard-coded constant of HearthNet, and nowhere else. Never configurable. */

export const MANIFEST_TTL_SECONDS = 30;
export const MANIFEST_REPUBLISH_INTERVAL_SECONDS = 20;
/** UDP announce interval: `active` while peers churn, `stable` once the peer set is quiet. */
export const DISCOVERY_UDP_INTERVAL_SECONDS = Object.freeze({ active: 5, stable: 30 } as const);
export const EMERGENCY_PROBE_INTERVAL_ONLINE = 10;
export const EMERGENCY_PROBE_INTERVAL_OFFLINE = 2;
export const EMERGENCY_PROBE_TIMEOUT_SECONDS = 2;
export const EMERGENCY_TRANSITION_DEBOUNCE_SECONDS = 30;
export const CONNECTION_IDLE_SECONDS = 60;
export const RECONNECT_BACKOFF_CAP_SECONDS = 30;
export const STREAM_WINDOW_FRAMES = 16;
export const STREAM_ACK_INTERVAL_FRAMES = 8;
export const STREAM_ACK_TIMEOUT_SECONDS = 5;
export const RPC_DEFAULT_TIMEOUT_SECONDS = 30;
export const LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS = 120;
export const CHUNK_SIZE_BYTES = 262_144;
export const BLOB_GC_DISK_THRESHOLD = 0.8;
export const RAG_CHUNK_TOKENS = 1000;
export const RAG_CHUNK_OVERLAP_TOKENS = 200;
export const RAG_DEFAULT_K = 5;
export const RAG_MAX_K = 20;
export const HEALTH_WINDOW_CALLS = 100;
export const HEALTH_QUARANTINE_THRESHOLD = 0.5;
export const HEALTH_QUARANTINE_SECONDS = 60;
export const RATE_LIMIT_SOFT_RPS_PER_CAP = 10;
export const RATE_LIMIT_HARD_RPS_PER_CAP = 100;
export const RATE_LIMIT_SOFT_RPS_TOTAL = 100;
export const RATE_LIMIT_HARD_RPS_TOTAL = 1000;
export const EVENT_LOG_RETENTION_DAYS = 30;
export const SNAPSHOT_LAG_LAMPORT = 1000;
export const TRACE_RING_BUFFER = 10_000;
export const LOG_RETENTION_DAYS = 14;
