/**
 * The household app's procedures (docs/protocol/ui-api.md): live views as subscriptions (tRPC 11
 * async generators: SSE over HTTP, the IPC link in the desktop app), long operations with
 * progress, and what the mesh offers, answered by the node.
 */
import { I } from './inputs';
import { mapped, proc } from './trpc';

/** Spread into the AppRouter. */
export const appProcedures = {
  onStatus: proc.subscription(({ ctx, signal }) => mapped(ctx.node.watchStatus(signal ?? neverAborted()))),
  emergency: proc.query(({ ctx }) => ctx.node.emergency()),
  onEmergency: proc.subscription(({ ctx, signal }) => mapped(ctx.node.watchEmergency(signal ?? neverAborted()))),
  topology: proc.query(({ ctx }) => ctx.node.topology()),
  onTopology: proc.subscription(({ ctx, signal }) => mapped(ctx.node.watchTopology(signal ?? neverAborted()))),
  onTraces: proc
    .input(I.onTraces)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.watchTraces(input, signal ?? neverAborted()))),

  meshModels: proc.input(I.meshModels).query(({ ctx, input }) => ctx.node.meshModels(input)),
  meshCollections: proc.query(({ ctx }) => ctx.node.meshCollections()),
  ask: proc
    .input(I.ask)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.ask(input, signal ?? neverAborted()))),

  chatConversations: proc.query(({ ctx }) => ctx.node.chatConversations()),
  chatMarkRead: proc.input(I.chatMarkRead).mutation(({ ctx, input }) => ctx.node.chatMarkRead(input)),
  onChat: proc.subscription(({ ctx, signal }) => mapped(ctx.node.watchChat(signal ?? neverAborted()))),
  onMarket: proc.subscription(({ ctx, signal }) => mapped(ctx.node.watchMarket(signal ?? neverAborted()))),

  filesFetch: proc
    .input(I.cid)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.filesFetch(input, signal ?? neverAborted()))),
  filesShare: proc.input(I.cid).mutation(({ ctx, input }) => ctx.node.filesShare(input)),

  settings: proc.query(({ ctx }) => ctx.node.settings()),
  settingsUpdate: proc.input(I.settingsUpdate).mutation(({ ctx, input }) => ctx.node.settingsUpdate(input)),
  members: proc.query(({ ctx }) => ctx.node.members()),
  modelsPull: proc
    .input(I.modelsPull)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.modelsPull(input, signal ?? neverAborted()))),
  modelsCopy: proc
    .input(I.cid)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.modelsCopy(input, signal ?? neverAborted()))),
  ragIngest: proc
    .input(I.ragIngest)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.ragIngest(input, signal ?? neverAborted()))),
  ragReindex: proc
    .input(I.ragReindex)
    .subscription(({ ctx, input, signal }) => mapped(ctx.node.ragReindex(input, signal ?? neverAborted()))),
  embeddingModels: proc.query(({ ctx }) => ctx.node.embeddingModels()),
  embeddingAdd: proc.input(I.embeddingAdd).mutation(({ ctx, input }) => ctx.node.embeddingAdd(input)),
  llmBackends: proc.query(({ ctx }) => ctx.node.llmBackends()),
  diagnostics: proc.query(({ ctx }) => ctx.node.diagnostics()),
};

/** tRPC always passes a signal to subscriptions; this only satisfies the optional type. */
function neverAborted(): AbortSignal {
  return new AbortController().signal;
}
