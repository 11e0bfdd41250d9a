/** tRPC procedures of the community services (files, market, chat, documents) and the models folder. */
import { I } from './inputs';
import { proc } from './trpc';

/** Spread into the AppRouter. Names match the NodeApi methods. */
export const serviceProcedures = {
  filesAdd: proc.input(I.fileSource).mutation(({ ctx, input }) => ctx.node.filesAdd(input)),
  filesList: proc.query(({ ctx }) => ctx.node.filesList()),
  marketPost: proc.input(I.marketPost).mutation(({ ctx, input }) => ctx.node.marketPost(input)),
  marketList: proc.input(I.marketList).query(({ ctx, input }) => ctx.node.marketList(input)),
  marketSearch: proc.input(I.marketSearch).query(({ ctx, input }) => ctx.node.marketSearch(input)),
  marketExpire: proc.input(I.marketExpire).mutation(({ ctx, input }) => ctx.node.marketExpire(input)),
  chatSend: proc.input(I.chatSend).mutation(({ ctx, input }) => ctx.node.chatSend(input)),
  chatHistory: proc.input(I.chatHistory).query(({ ctx, input }) => ctx.node.chatHistory(input)),
  ragList: proc.query(({ ctx }) => ctx.node.ragList()),
  modelsList: proc.query(({ ctx }) => ctx.node.modelsList()),
  modelsAdd: proc.input(I.fileSource).mutation(({ ctx, input }) => ctx.node.modelsAdd(input)),
  modelsShare: proc.input(I.modelsShare).mutation(({ ctx, input }) => ctx.node.modelsShare(input)),
};
