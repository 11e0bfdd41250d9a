/** X02 events: the signed Lamport event log, replay, snapshots and exact sync reconciliation. */
export { EVENT_LOG_ERROR_CODES, EventLogError, type EventLogErrorCode } from './errors';
export * from './types';
export {
  EVENT_DATA_SCHEMAS,
  eventDataProblem,
  isTypedEvent,
  type EventData,
  type EventDataMap,
  type TypedEvent,
} from './event-data';
export { LamportClock } from './lamport';
export { EventLog, type AppendListener, type BatchResult, type EventLogOptions, type ValidateResult } from './log';
export type { ReplayOptions } from './log-store';
export { EVENT_LOG_SCHEMA_VERSION } from './schema';
export { SUBSCRIBER_QUEUE_MAX } from './subscriber';
export { compareEvents, eventShapeProblem } from './event-shape';
export type { AuthorSummary } from './author-summary';
export { digestOf, EMPTY_DIGEST, sumDigests } from './digest';
export { ReplayEngine, type ReplayEngineOptions } from './replay';
export {
  buildSnapshot,
  restoreFromSnapshot,
  SnapshotStore,
  SNAPSHOT_KEEP_DEFAULT,
  SNAPSHOT_SCHEMA_VERSION,
  type RestoreResult,
  type Snapshot,
} from './snapshot';
export * from './sync-types';
export { logDigest, SyncServer, type SyncServerOptions } from './sync-server';
export { SyncClient } from './sync-client';
export {
  checkedSyncChannel,
  HeadsReportSchema,
  parseHeadsReport,
  parseSyncEventsReply,
  SyncEventsReplySchema,
  type PeerSyncEndpoints,
} from './sync-replies';
