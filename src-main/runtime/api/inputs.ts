/**
 * The input schemas of every AppRouter procedure (TypeBox, compiled with ajv by `input()`).
 * The TypeScript input types come from these schemas (`Static<>`), not beside them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { PROFILES, RAG_MAX_K } from '../../common';
import { MARKET_CATEGORIES } from './service-shapes';
import type { GovernanceInput } from './status';
import { AbsolutePath, input, OneOf, Text, WholeNumber } from './validate';

const MAX_TIMEOUT_MS = 3_600_000;
const Category = OneOf(MARKET_CATEGORIES);
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 });
const Limit = WholeNumber(1, 10_000);
const Sha256 = Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'must be 64 hexadecimal characters' });

export const S = {
  capabilities: Type.Object({
    remoteOnly: Type.Optional(Type.Boolean()),
    localOnly: Type.Optional(Type.Boolean()),
    name: Type.Optional(Text()),
  }),
  callCapability: Type.Object({
    capability: Text(),
    version: Text(),
    body: Type.Optional(Type.Unknown()),
    params: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
        description: 'must be an object of params or null',
      }),
    ),
    timeout_ms: Type.Optional(WholeNumber(1, MAX_TIMEOUT_MS)),
  }),
  traces: Type.Object({ n: Type.Optional(WholeNumber(1, 10_000, { default: 50 })), capability: Type.Optional(Text()) }),
  onTraces: Type.Object({ capability: Type.Optional(Text()) }),
  addPeer: Type.Object({ host: Text(), port: WholeNumber(1, 65_535) }),
  createInvite: Type.Object({
    nodeId: Text(),
    level: Type.Optional(OneOf(['member', 'trusted'] as const, { default: 'member' })),
    ttlSeconds: Type.Optional(WholeNumber(60, 30 * 86_400, { default: 86_400 })),
  }),
  governance: Type.Object({
    action: OneOf(['revoke', 'promote', 'demote'] as const),
    nodeId: Text(),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    level: Type.Optional(OneOf(['member', 'trusted', 'anchor'] as const)),
    signatures: Type.Optional(Type.Array(Type.Object({ signer: Text(), signature: Text() }), { maxItems: 64 })),
  }),
  redeemInvite: Type.Object({ text: Text() }),

  fileSource: Type.Object({ path: Type.Optional(AbsolutePath()), upload_id: Type.Optional(Text()) }),
  cid: Type.Object({ cid: Text() }),
  marketPost: Type.Object({
    category: Category,
    title: Text({ maxLength: 120 }),
    body: Type.Optional(Type.String({ maxLength: 4_000 })),
    tags: Type.Optional(Tags),
    ttl_seconds: Type.Optional(WholeNumber(1, Number.MAX_SAFE_INTEGER)),
  }),
  marketList: Type.Object({
    category: Type.Optional(Category),
    tags: Type.Optional(Tags),
    limit: Type.Optional(Limit),
    include_expired: Type.Optional(Type.Boolean()),
    mine: Type.Optional(Type.Boolean()),
  }),
  marketSearch: Type.Object({
    query: Text({ maxLength: 200 }),
    category: Type.Optional(Category),
    limit: Type.Optional(Limit),
  }),
  marketExpire: Type.Object({ post_id: Text() }),
  chatSend: Type.Object({ to: Text(), text: Text({ maxLength: 4_000 }) }),
  chatHistory: Type.Object({ with: Type.Optional(Text()), limit: Type.Optional(Limit) }),
  chatMarkRead: Type.Object({ with: Type.Optional(Text()), msg_id: Type.Optional(Text()) }),
  modelsShare: Type.Object({ name: Text() }),
  meshModels: Type.Object({ kind: Type.Optional(OneOf(['chat', 'embedding'] as const)) }),
  ask: Type.Object({
    question: Text({ maxLength: 4_000 }),
    model: Type.Optional(Text()),
    collections: Type.Optional(Type.Array(Text(), { maxItems: 64 })),
    k: Type.Optional(WholeNumber(1, RAG_MAX_K)),
  }),
  settingsUpdate: Type.Object({
    display_name: Type.Optional(Text({ maxLength: 64 })),
    profile: Type.Optional(OneOf(PROFILES)),
  }),
  modelsPull: Type.Object({ url: Text(), sha256: Type.Optional(Sha256) }),
  ragIngest: Type.Object({
    corpus: Text({ maxLength: 64 }),
    path: Type.Optional(AbsolutePath()),
    upload_id: Type.Optional(Text()),
    title: Type.Optional(Text({ maxLength: 200 })),
  }),
  ragReindex: Type.Object({ corpus: Text({ maxLength: 64 }), embedding_model: Type.Optional(Text()) }),
  embeddingAdd: Type.Object({ path: AbsolutePath(), use: Type.Optional(Type.Boolean()) }),
};

const exactlyOne = (a: string, b: string) => (v: Record<string, unknown>) =>
  (v[a] === undefined) === (v[b] === undefined) ? `give either ${a} or ${b} (one of them)` : null;

/** The parsers tRPC runs on each procedure's input. */
export const I = {
  capabilities: input(S.capabilities),
  callCapability: input(S.callCapability),
  traces: input(S.traces),
  onTraces: input(S.onTraces),
  addPeer: input(S.addPeer),
  createInvite: input(S.createInvite),
  governance: input(S.governance) as (v: unknown) => GovernanceInput,
  redeemInvite: input(S.redeemInvite),
  fileSource: input(S.fileSource, exactlyOne('path', 'upload_id')),
  cid: input(S.cid),
  marketPost: input(S.marketPost),
  marketList: input(S.marketList),
  marketSearch: input(S.marketSearch),
  marketExpire: input(S.marketExpire),
  chatSend: input(S.chatSend),
  chatHistory: input(S.chatHistory),
  chatMarkRead: input(S.chatMarkRead, exactlyOne('with', 'msg_id')),
  modelsShare: input(S.modelsShare),
  meshModels: input(S.meshModels),
  ask: input(S.ask),
  settingsUpdate: input(S.settingsUpdate, (v) =>
    v.display_name === undefined && v.profile === undefined ? 'give display_name or profile to change' : null,
  ),
  modelsPull: input(S.modelsPull),
  ragIngest: input(S.ragIngest, exactlyOne('path', 'upload_id')),
  ragReindex: input(S.ragReindex),
  embeddingAdd: input(S.embeddingAdd),
};

export type FileSource = Static<typeof S.fileSource>;
export type ChatMarkReadInput = Static<typeof S.chatMarkRead>;
export type AskInput = Static<typeof S.ask>;
export type SettingsUpdateInput = Static<typeof S.settingsUpdate>;
export type ModelsPullInput = Static<typeof S.modelsPull>;
export type RagIngestInput = Static<typeof S.ragIngest>;
export type RagReindexInput = Static<typeof S.ragReindex>;
export type EmbeddingAddInput = Static<typeof S.embeddingAdd>;
export type MeshModelsInput = Static<typeof S.meshModels>;
