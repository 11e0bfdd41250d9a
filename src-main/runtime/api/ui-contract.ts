/** What the household app's procedures need from a running node, beyond the CLI's NodeApi (docs/protocol/ui-api.md). */
import type {
  AskInput,
  ChatMarkReadInput,
  EmbeddingAddInput,
  FileSource,
  MeshModelsInput,
  ModelsPullInput,
  RagIngestInput,
  RagReindexInput,
  SettingsUpdateInput,
} from './inputs';
import type { StatusReport, TraceRow } from './status';
import type {
  AskEvent,
  ChatUpdate,
  Diagnostics,
  Conversation,
  EmbeddingModelRow,
  EmergencyReport,
  FetchedFile,
  FetchProgress,
  IngestDone,
  IngestProgress,
  LlmBackendRow,
  MarketUpdate,
  MemberRow,
  MeshCollection,
  MeshModel,
  OpEvent,
  PullProgress,
  SettingsReport,
  Topology,
} from './ui-shapes';
import type { ModelRow } from './service-shapes';

/** Every `watch*`/long operation ends when `signal` aborts (the client unsubscribed). */
export interface AppNodeApi {
  watchStatus(signal: AbortSignal): AsyncIterable<StatusReport>;
  emergency(): Promise<EmergencyReport>;
  watchEmergency(signal: AbortSignal): AsyncIterable<EmergencyReport>;
  topology(): Topology;
  watchTopology(signal: AbortSignal): AsyncIterable<Topology>;
  watchTraces(q: { capability?: string }, signal: AbortSignal): AsyncIterable<TraceRow>;

  meshModels(q: MeshModelsInput): Promise<MeshModel[]>;
  meshCollections(): MeshCollection[];
  ask(q: AskInput, signal: AbortSignal): AsyncIterable<AskEvent>;

  chatConversations(): Promise<Conversation[]>;
  chatMarkRead(q: ChatMarkReadInput): Promise<{ marked: number }>;
  watchChat(signal: AbortSignal): AsyncIterable<ChatUpdate>;
  watchMarket(signal: AbortSignal): AsyncIterable<MarketUpdate>;

  filesFetch(q: { cid: string }, signal: AbortSignal): AsyncIterable<OpEvent<FetchProgress, FetchedFile>>;
  filesShare(q: { cid: string }): Promise<{ cid: string; shared: true }>;

  settings(): SettingsReport;
  settingsUpdate(q: SettingsUpdateInput): Promise<{ settings: SettingsReport; restart_needed: boolean }>;
  members(): MemberRow[];
  modelsPull(q: ModelsPullInput, signal: AbortSignal): AsyncIterable<OpEvent<PullProgress, ModelRow>>;
  modelsCopy(q: { cid: string }, signal: AbortSignal): AsyncIterable<OpEvent<FetchProgress, ModelRow>>;
  ragIngest(q: RagIngestInput, signal: AbortSignal): AsyncIterable<OpEvent<IngestProgress, IngestDone>>;
  ragReindex(q: RagReindexInput, signal: AbortSignal): AsyncIterable<OpEvent<IngestProgress, IngestDone>>;
  embeddingModels(): Promise<EmbeddingModelRow[]>;
  embeddingAdd(q: EmbeddingAddInput): Promise<EmbeddingModelRow>;
  llmBackends(): Promise<LlmBackendRow[]>;
  /** For `hearthnet doctor`: checks of the node that is running. */
  diagnostics(): Promise<Diagnostics>;

  /** A browser upload: the body streamed to `<data>/uploads/`, later used by filesAdd/modelsAdd/ragIngest. */
  receiveUpload(
    filename: string,
    body: ReadableStream<Uint8Array>,
    signal: AbortSignal,
  ): Promise<{ upload_id: string; filename: string; size_bytes: number }>;
  /** A held file's bytes for `GET /api/v1/files/<cid>`; null when this node does not hold it. */
  openFile(cid: string): Promise<{
    filename: string | null;
    mime_type: string | null;
    size_bytes: number;
    body: ReadableStream<Uint8Array>;
  } | null>;
}

export type { FileSource };
