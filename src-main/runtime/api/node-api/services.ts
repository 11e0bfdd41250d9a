/**
 * The NodeApi methods over the community services (files, marketplace, chat, documents) and the
 * models folder. Market and chat go through this node's own capability handlers on the bus, as
 * this node, so the UI and CLI get exactly the validation a neighbour's call would.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ulid } from 'ulidx';
import { CallError } from '../../../common';
import type {
  ChatRow,
  ChatSent,
  CorpusRow,
  FileAdded,
  FileRow,
  MarketExpired,
  MarketPost,
  MarketSearchHit,
  ModelRow,
  NodeApi,
} from '..';
import type { CapabilityBus } from '../../bus';
import type { ChatMessage } from '../../services/chat';
import type { PeerRegistry } from '../../discovery';
import type { KeyPair } from '../../identity';
import { ModelStore } from '../../models';
import type { CommunityScope } from '../../node/community-scope';
import type { CommunityServices } from '../../node/community-services';
import { memberDirectory, type MemberDirectory } from './members';
import type { Uploads } from './uploads';
import type { DeliveryStates } from './chat-state';
import { BlobError } from '../../blobs';

export interface ServiceApiDeps {
  readonly kp: KeyPair;
  readonly displayName: string;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly scope: () => CommunityScope | null;
  readonly modelsDir: string;
  readonly onModelAdded?: (path: string) => Promise<void>;
  /** Browser uploads (filesAdd / modelsAdd take an upload_id). */
  readonly uploads: Uploads;
  readonly deliveryStates: DeliveryStates;
}

type ServiceApi = Pick<
  NodeApi,
  | 'filesAdd'
  | 'filesList'
  | 'marketPost'
  | 'marketList'
  | 'marketSearch'
  | 'marketExpire'
  | 'chatSend'
  | 'chatHistory'
  | 'ragList'
  | 'modelsList'
  | 'modelsAdd'
  | 'modelsShare'
>;

/** The services of the community this node is in; a clear error when it is in none. */
export function requireServices(scope: () => CommunityScope | null): {
  scope: CommunityScope;
  services: CommunityServices;
} {
  const s = scope();
  if (!s)
    throw new CallError(
      'forbidden',
      'this household is not in a community yet: create one with `hearthnet init --community "<name>"` or redeem an invite',
    );
  return { scope: s, services: s.services };
}

/** A regular file at an absolute path on this machine, or a precise error. */
export async function requireRegularFile(path: string): Promise<number> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new BlobError('not_found', `There is no file at ${path}.`, { details: { path } });
  if (!st.isFile())
    throw new CallError('bad_request', `${path} is not a regular file (folders and devices cannot be added).`);
  return st.size;
}

export function createServiceApi(d: ServiceApiDeps): ServiceApi {
  const ctx = () => {
    const { scope, services } = requireServices(d.scope);
    const dir = memberDirectory({
      ourId: d.kp.nodeIdFull,
      ourName: d.displayName,
      community: scope.community,
      peers: d.peers,
    });
    return { scope, services, dir };
  };
  /** This node's own handler of `capability`, called as this node. */
  const own = (capability: string, body: unknown): Promise<unknown> =>
    d.bus.handleInbound({
      capability,
      version: '1.0',
      body,
      caller: d.kp.nodeIdFull,
      traceId: ulid(),
      sessionId: null,
      stream: false,
      signal: new AbortController().signal,
    });
  const enabled = <T>(service: T | null, what: string, section: string): T => {
    if (!service)
      throw new CallError('forbidden', `${what} is turned off in this node's settings ([${section}] enabled = false)`);
    return service;
  };
  const named = (dir: MemberDirectory, post: Omit<MarketPost, 'author_name' | 'mine'>): MarketPost => ({
    ...post,
    author_name: dir.nameOf(post.author),
    mine: post.author === d.kp.nodeIdFull,
  });
  const models = new ModelStore(d.modelsDir);

  return {
    async filesAdd(q): Promise<FileAdded> {
      const { services } = ctx();
      const path = await d.uploads.keep(q);
      await requireRegularFile(path);
      const m = await services.fileClient.addFile(path, { pin: true });
      await services.files.advertise([m.cid]);
      return {
        cid: m.cid,
        filename: m.filename ?? basename(path),
        size_bytes: m.size_bytes,
        chunks: m.chunks.length,
        mime_type: m.mime_type,
      };
    },

    async filesList(): Promise<FileRow[]> {
      const { services, dir } = ctx();
      const us = d.kp.nodeIdFull;
      const pins = new Set<string>(await services.blobs.listPins());
      const holders = (cid: string) =>
        services.sources.sourcesOf(cid, us).map((id) => ({ node_id: id, name: dir.nameOf(id) }));
      const local = await services.blobs.listBlobs();
      const held = new Set<string>(local.map((m) => m.cid));
      const rows: FileRow[] = local.map((m) => ({
        cid: m.cid,
        filename: m.filename,
        size_bytes: m.size_bytes,
        mime_type: m.mime_type,
        local: true,
        pinned: pins.has(m.cid),
        holders: holders(m.cid),
      }));
      for (const cid of services.sources.cids()) {
        if (held.has(cid)) continue;
        const b = services.sources.blob(cid);
        const h = holders(cid);
        if (h.length)
          rows.push({
            cid,
            filename: b?.filename ?? null,
            size_bytes: b?.size_bytes ?? null,
            mime_type: b?.mime_type ?? null,
            local: false,
            pinned: false,
            holders: h,
          });
      }
      return rows;
    },

    async marketPost(q) {
      const { services, dir } = ctx();
      enabled(services.market, 'The marketplace', 'market');
      const r = (await own('market.post', { ...q })) as { post: Omit<MarketPost, 'author_name' | 'mine'> };
      return named(dir, r.post);
    },

    async marketList(q) {
      const { services, dir } = ctx();
      enabled(services.market, 'The marketplace', 'market');
      const { mine, ...query } = q;
      const r = (await own('market.list', query)) as {
        posts: Omit<MarketPost, 'author_name' | 'mine'>[];
        max_lamport: number;
      };
      const posts = r.posts.map((p) => named(dir, p)).filter((p) => !mine || p.mine);
      // Emergency posts first (the reference's market tab), each group keeping the service's order.
      posts.sort((a, b) => Number(b.category === 'emergency') - Number(a.category === 'emergency'));
      return { posts, max_lamport: r.max_lamport };
    },

    async marketSearch(q): Promise<MarketSearchHit[]> {
      const { services, dir } = ctx();
      enabled(services.market, 'The marketplace', 'market');
      const r = (await own('market.search', { ...q })) as {
        results: { post: Omit<MarketPost, 'author_name' | 'mine'>; score: number }[];
      };
      return r.results.map((h) => ({ post: named(dir, h.post), score: h.score }));
    },

    async marketExpire(q): Promise<MarketExpired> {
      const { services } = ctx();
      enabled(services.market, 'The marketplace', 'market');
      return (await own('market.expire', { post_id: q.post_id })) as MarketExpired;
    },

    async chatSend(q): Promise<ChatSent> {
      const { services, dir } = ctx();
      enabled(services.chat, 'Chat', 'chat');
      const to = dir.resolve(q.to);
      const r = (await own('chat.send', { to, text: q.text })) as {
        msg_id: string;
        event_id: string;
        delivery: string;
      };
      return { ...r, delivery_state: d.deliveryStates.remember(r.msg_id, r.delivery), to, to_name: dir.nameOf(to) };
    },

    async chatHistory(q): Promise<ChatRow[]> {
      const { services, dir } = ctx();
      enabled(services.chat, 'Chat', 'chat');
      const body = { ...(q.with ? { with: dir.resolve(q.with) } : {}), ...(q.limit ? { limit: q.limit } : {}) };
      const r = (await own('chat.history', body)) as { messages: ChatMessage[] };
      return r.messages.map((m) => d.deliveryStates.row(m, (id) => dir.nameOf(id), d.kp.nodeIdFull));
    },

    ragList(): CorpusRow[] {
      const { services } = ctx();
      return enabled(services.rag, 'Shared documents', 'rag').listCorpora();
    },

    async modelsList(): Promise<ModelRow[]> {
      return models.list();
    },

    async modelsShare({ name }) {
      const { services } = ctx();
      const model = (await models.list()).find((m) => m.name === name || m.file === name);
      if (!model)
        throw new CallError(
          'not_found',
          `no model called "${name}" in the models folder; \`hearthnet models list\` shows them`,
        );
      // Through the blob store like any file: neighbours fetch it in verified chunks, even offline.
      const m = await services.fileClient.addFile(model.path, { pin: true });
      await services.files.advertise([m.cid]);
      return { cid: m.cid, name: model.name, size_bytes: m.size_bytes };
    },

    async modelsAdd(q): Promise<ModelRow> {
      const { path, done } = await d.uploads.resolve(q);
      const added = await models.add(path);
      await done();
      await d.onModelAdded?.(added.path);
      return added;
    },
  };
}
