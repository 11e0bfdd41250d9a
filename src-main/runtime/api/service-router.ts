/** tRPC procedures of the community services (files, market, chat, documents) and the models folder. */
import { MARKET_CATEGORIES, type MarketCategory, type MarketListInput, type MarketPostInput, type MarketSearchInput } from './service-shapes';
import { bad, int, obj, proc, str } from './trpc';

function absolutePath(o: Record<string, unknown>, k: string): string {
  const p = str(o, k)!;
  if (!p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p)) bad(`${k} must be an absolute path (the CLI resolves it for you)`);
  return p;
}

function category(o: Record<string, unknown>, required: boolean): MarketCategory | undefined {
  const c = o.category;
  if (c === undefined && !required) return undefined;
  if (typeof c !== 'string' || !(MARKET_CATEGORIES as readonly string[]).includes(c)) bad(`category must be one of ${MARKET_CATEGORIES.join(', ')}`);
  return c as MarketCategory;
}

function tags(o: Record<string, unknown>): string[] | undefined {
  const v = o.tags;
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) bad('tags must be a list of words');
  return v as string[];
}

function marketPostInput(v: unknown): MarketPostInput {
  const o = obj(v);
  const body = o.body;
  if (body !== undefined && typeof body !== 'string') bad('body must be text');
  return {
    category: category(o, true)!,
    title: str(o, 'title')!,
    body: body as string | undefined,
    tags: tags(o),
    ttl_seconds: o.ttl_seconds === undefined ? undefined : int(o, 'ttl_seconds', 1, Number.MAX_SAFE_INTEGER),
  };
}

function marketListInput(v: unknown): MarketListInput {
  const o = obj(v);
  if (o.include_expired !== undefined && typeof o.include_expired !== 'boolean') bad('include_expired must be true or false');
  return {
    category: category(o, false),
    tags: tags(o),
    limit: o.limit === undefined ? undefined : int(o, 'limit', 1, 10_000),
    include_expired: o.include_expired as boolean | undefined,
  };
}

function marketSearchInput(v: unknown): MarketSearchInput {
  const o = obj(v);
  return { query: str(o, 'query')!, category: category(o, false), limit: o.limit === undefined ? undefined : int(o, 'limit', 1, 10_000) };
}

/** Spread into the AppRouter. Names match the NodeApi methods. */
export const serviceProcedures = {
  filesAdd: proc.input((v) => ({ path: absolutePath(obj(v), 'path') })).mutation(({ ctx, input }) => ctx.node.filesAdd(input)),
  filesList: proc.query(({ ctx }) => ctx.node.filesList()),
  marketPost: proc.input(marketPostInput).mutation(({ ctx, input }) => ctx.node.marketPost(input)),
  marketList: proc.input(marketListInput).query(({ ctx, input }) => ctx.node.marketList(input)),
  marketSearch: proc.input(marketSearchInput).query(({ ctx, input }) => ctx.node.marketSearch(input)),
  marketExpire: proc.input((v) => ({ post_id: str(obj(v), 'post_id')! })).mutation(({ ctx, input }) => ctx.node.marketExpire(input)),
  chatSend: proc
    .input((v) => {
      const o = obj(v);
      return { to: str(o, 'to')!, text: str(o, 'text')! };
    })
    .mutation(({ ctx, input }) => ctx.node.chatSend(input)),
  chatHistory: proc
    .input((v) => {
      const o = obj(v);
      return { with: str(o, 'with', false), limit: o.limit === undefined ? undefined : int(o, 'limit', 1, 10_000) };
    })
    .query(({ ctx, input }) => ctx.node.chatHistory(input)),
  ragList: proc.query(({ ctx }) => ctx.node.ragList()),
  modelsList: proc.query(({ ctx }) => ctx.node.modelsList()),
  modelsAdd: proc.input((v) => ({ path: absolutePath(obj(v), 'path') })).mutation(({ ctx, input }) => ctx.node.modelsAdd(input)),
  modelsShare: proc.input((v) => ({ name: str(obj(v), 'name')! })).mutation(({ ctx, input }) => ctx.node.modelsShare(input)),
};
