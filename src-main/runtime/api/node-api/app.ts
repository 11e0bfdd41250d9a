/** The household app's part of the NodeApi (docs/protocol/ui-api.md), over a running node's parts. */
import { join } from 'node:path';
import { CallError, promiseTry } from '../../../common';
import type { AppNodeApi, ChatUpdate, Conversation, MarketPost, NodeApi } from '..';
import type { Config } from '../../config';
import { requireServices } from './services';
import { memberDirectory } from './members';
import type { NodeApiDeps } from './node-api';
import { filesFetch, filesShare, modelsCopy, modelsPull, ragIngest, ragReindex, type AppOpDeps } from './app-ops';
import type { DeliveryStates } from './chat-state';
import { chatUpdates, marketUpdates, traceStream, whenChanged } from './live';
import { askStream, emergencyReport, meshCollections, meshModels, topology, type MeshViewDeps } from './mesh';
import { diagnostics } from './doctor';
import {
  addEmbeddingModel,
  embeddingModels,
  llmBackends,
  memberRows,
  settingsReport,
  updateSettings,
  type SettingsDeps,
} from './settings';
import type { Uploads } from './uploads';
import { openHeldFile } from './uploads';

/** The CLI-facing methods the app's answers are built on. */
type Base = Pick<NodeApi, 'status' | 'peers' | 'marketList' | 'filesList'>;

export interface AppApiDeps extends NodeApiDeps {
  readonly uploads: Uploads;
  readonly deliveryStates: DeliveryStates;
}

export function createAppApi(d: AppApiDeps, base: Base): AppNodeApi {
  const nameOf = (id: string): string => {
    const c = d.community();
    if (!c) return id === d.kp.nodeIdFull ? d.displayName : (d.peers.get(id)?.display_name ?? id);
    return memberDirectory({ ourId: d.kp.nodeIdFull, ourName: d.displayName, community: c, peers: d.peers }).nameOf(id);
  };
  const mesh: MeshViewDeps = { bus: d.bus, peers: d.peers, ourId: d.kp.nodeIdFull, nameOf };
  const settingsDeps: SettingsDeps = {
    kp: d.kp,
    displayName: d.displayName,
    profile: d.profile,
    config: d.config,
    configFile: d.configFile,
    apiPort: d.apiPort,
    community: d.community,
    communityName: d.communityName,
    peers: d.peers,
    nameOf,
  };
  const opDeps = (): AppOpDeps => ({ ...d, stagingDir: join(d.config().community.state_dir, 'uploads') });
  const saved = (c: Config) => d.onConfigSaved?.(c);
  const inCommunity = () => d.scope() !== null;
  const livePosts = async (): Promise<MarketPost[]> =>
    d.scope()?.services.market ? (await base.marketList({ category: 'emergency' })).posts : [];
  const emergency = async () => emergencyReport(mesh, d.emergencyState(), base.peers(), await livePosts());
  const post = (id: string): MarketPost | null => {
    const s = d.scope();
    const p = s?.services.market?.postById(id);
    return p
      ? {
          ...p,
          expiry_reason: p.expiry_reason as MarketPost['expiry_reason'],
          author_name: nameOf(p.author),
          mine: p.author === d.kp.nodeIdFull,
        }
      : null;
  };
  const chat = () => {
    const chatService = requireServices(d.scope).services.chat;
    if (!chatService)
      throw new CallError('forbidden', "chat is turned off in this node's settings ([chat] enabled = false)");
    return chatService;
  };
  const online = (id: string) => d.peers.get(id) !== null && d.peers.refusalOf(id) === null;
  const conversations = (): Conversation[] =>
    chat()
      .conversations()
      .map((c) => ({
        peer: c.peer,
        peer_name: nameOf(c.peer),
        unread: c.unread,
        online: online(c.peer),
        last: c.last ? d.deliveryStates.row(c.last, nameOf, d.kp.nodeIdFull) : null,
      }));
  const chatUpdate = (kind: ChatUpdate['kind'], msgId: string): Promise<ChatUpdate | null> =>
    promiseTry(() => chatUpdateNow(kind, msgId));
  const chatUpdateNow = (kind: ChatUpdate['kind'], msgId: string): ChatUpdate | null => {
    const m = chat().message(msgId);
    if (!m) return null;
    const message = d.deliveryStates.row(m, nameOf, d.kp.nodeIdFull);
    const peer = message.direction === 'out' ? m.recipient : m.sender;
    const conversation = conversations().find((c) => c.peer === peer) ?? {
      peer,
      peer_name: nameOf(peer),
      unread: 0,
      last: message,
      online: online(peer),
    };
    return { kind, message, conversation };
  };

  return {
    // Clocks that tick every second (uptime, "seen N s ago") are not changes worth a message.
    watchStatus: (signal) =>
      whenChanged(base.status, signal, {
        subscribe: (wake) => d.bus.registry.on('change', wake),
        key: (s) => ({ ...s, uptime_s: 0, peers: s.peers.map((p) => ({ ...p, last_seen_s_ago: 0 })) }),
      }),
    emergency,
    watchEmergency: (signal) =>
      whenChanged(emergency, signal, {
        subscribe: d.onEmergencyChange,
        key: (r) => ({ ...r, reachable: r.reachable.map((p) => ({ ...p, last_seen_s_ago: 0 })) }),
      }),
    topology: () => topology(mesh, { profile: d.profile, mode: d.mode() }, base.peers()),
    watchTopology: (signal) =>
      whenChanged(() => topology(mesh, { profile: d.profile, mode: d.mode() }, base.peers()), signal, {
        subscribe: (wake) => d.bus.registry.on('change', wake),
      }),
    watchTraces: (q, signal) => traceStream(d.bus, q.capability, signal),

    meshModels: async (q) => meshModels(mesh, inCommunity() ? await base.filesList() : [], q.kind),
    meshCollections: () => meshCollections(mesh, d.scope()?.services.rag?.listCorpora() ?? []),
    ask: (q, signal) => askStream(mesh, q, signal),

    chatConversations: () => promiseTry(conversations),
    chatMarkRead: (q) =>
      promiseTry(() => {
        const service = chat();
        if (q.msg_id) return { marked: service.markRead({ msg_id: q.msg_id }).event_id ? 1 : 0 };
        const community = d.community();
        if (!community) throw new CallError('forbidden', 'this node has not joined a community yet');
        if (!q.with) throw new CallError('bad_request', 'give msg_id or with');
        const dir = memberDirectory({ ourId: d.kp.nodeIdFull, ourName: d.displayName, community, peers: d.peers });
        const unread = service.unreadFrom(dir.resolve(q.with));
        for (const m of unread) service.markRead({ msg_id: m.msg_id });
        return { marked: unread.length };
      }),
    watchChat: (signal) => chatUpdates({ scope: d.scope, update: chatUpdate }, signal),
    watchMarket: (signal) => marketUpdates(d.scope, post, signal),

    filesFetch: (q, signal) => filesFetch(opDeps(), q.cid, signal),
    filesShare: (q) => filesShare(opDeps(), q.cid),

    settings: () => settingsReport(settingsDeps),
    settingsUpdate: (q) => promiseTry(() => updateSettings(settingsDeps, q, saved)),
    members: () => memberRows(settingsDeps),
    modelsPull: (q, signal) => modelsPull(opDeps(), q, signal),
    modelsCopy: (q, signal) => modelsCopy(opDeps(), q.cid, signal),
    ragIngest: (q, signal) => ragIngest(opDeps(), q, signal),
    ragReindex: (q, signal) => ragReindex(opDeps(), q, signal),
    embeddingModels: () => embeddingModels(d.config()),
    embeddingAdd: (q) => addEmbeddingModel(settingsDeps, q, saved),
    llmBackends: () => llmBackends(d.config()),
    diagnostics: () => diagnostics({ ...d, nameOf }, mesh),

    receiveUpload: (filename, body, signal) => d.uploads.receive(filename, body, signal),
    async openFile(cid) {
      const s = d.scope();
      return s ? openHeldFile(s.services.blobs, cid) : null;
    },
  };
}
