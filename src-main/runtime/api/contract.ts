/** NodeApi: what the local API (tRPC for the UI and CLI, SSE for streams and long ops) needs from a running node. */
import type { OnboardingApi } from './onboarding-contract';
import type { OpFrame, OpInputs, OpName } from './ops';
import type {
  ChatRow,
  ChatSent,
  CorpusRow,
  FileAdded,
  FileRow,
  MarketExpired,
  MarketListInput,
  MarketPost,
  MarketPostInput,
  MarketSearchHit,
  MarketSearchInput,
  ModelRow,
} from './service-shapes';
import type {
  CallInput,
  CapabilityRow,
  GovernanceInput,
  GovernanceOutcome,
  InviteCreated,
  InviteRedeemed,
  PeerSummary,
  StatusReport,
  TraceRow,
} from './status';
import type { AppNodeApi, FileSource } from './ui-contract';

/** The composition root implements it (api/node-api/node-api.ts). */
export interface NodeApi extends AppNodeApi {
  status(): StatusReport;
  capabilities(q: { remoteOnly?: boolean; localOnly?: boolean; name?: string }): CapabilityRow[];
  call(q: CallInput): Promise<unknown>;
  traces(q: { n?: number; capability?: string }): TraceRow[];
  peers(): PeerSummary[];
  addPeer(q: { host: string; port: number }): Promise<PeerSummary>;
  createInvite(q: { nodeId: string; level: 'member' | 'trusted'; ttlSeconds: number }): Promise<InviteCreated>;
  redeemInvite(q: { text: string }): Promise<InviteRedeemed>;
  governance(q: GovernanceInput): GovernanceOutcome;
  cosign(q: GovernanceInput): { signer: string; signature: string };

  /** Import a file on this machine (absolute path) or a browser upload into the blob store and advertise it. */
  filesAdd(q: FileSource): Promise<FileAdded>;
  /** Files held here and files neighbours advertise. */
  filesList(): Promise<FileRow[]>;
  /** The marketplace, as this node (its own market.* handlers, same validation). */
  marketPost(q: MarketPostInput): Promise<MarketPost>;
  marketList(q: MarketListInput): Promise<{ posts: MarketPost[]; max_lamport: number }>;
  marketSearch(q: MarketSearchInput): Promise<MarketSearchHit[]>;
  marketExpire(q: { post_id: string }): Promise<MarketExpired>;
  /** `to`: a full node id, a short id, or a member's display name. */
  chatSend(q: { to: string; text: string }): Promise<ChatSent>;
  /** Messages with one member (same forms as `to`), or all conversations. */
  chatHistory(q: { with?: string; limit?: number }): Promise<ChatRow[]>;
  ragList(): CorpusRow[];
  modelsList(): Promise<ModelRow[]>;
  /** Copy a GGUF file on this machine (absolute path) or a browser upload into the models folder. */
  modelsAdd(q: FileSource): Promise<ModelRow>;
  /** Offer a model file to the neighbours through the blob store; returns its file id. */
  modelsShare(q: { name: string }): Promise<{ cid: string; name: string; size_bytes: number }>;

  /** First launch, join codes, phones on the LAN (api/routers/onboarding.ts). */
  readonly onboarding: OnboardingApi;
}

/** NodeApi plus the streamed parts the API server serves as server-sent events. */
export interface StreamingNodeApi extends NodeApi {
  /** A streamed bus call (`POST /api/v1/stream`). */
  stream?(q: CallInput, signal: AbortSignal): AsyncIterable<{ event: string; data: unknown }>;
  /** A long operation (`POST /api/v1/ops/<name>`): progress frames, then `done`. Throws HearthError. */
  op?<N extends OpName>(name: N, input: OpInputs[N], signal: AbortSignal): AsyncIterable<OpFrame>;
}
