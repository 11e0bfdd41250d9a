/**
 * §17 of ../shared/spec/hearthnet-reference.md step 8 for the services that live in the community log: the marketplace and
 * private chat. Their views are registered on the replay engine and rebuilt from the log; their
 * capabilities go on the bus; they stop before the log closes.
 */
import { join } from 'node:path';
import type { NodeId } from '../../common';
import type { CapabilityBus } from '../bus';
import { offerService } from '../services/base';
import type { Config } from '../config';
import type { PeerRegistry } from '../discovery';
import { checkedSyncChannel, type Event } from '../events';
import type { KeyPair } from '../identity';
import type { Logger, Metrics } from '../observability';
import { CHAT_VIEW_EVENT_TYPES, ChatService, ChatView, DeliveryManager } from '../services/chat';
import { MARKET_EVENT_TYPES, MarketplaceService, MarketplaceView } from '../services/marketplace';
import { BlobStore } from '../blobs';
import { FileClient, FileService, SourceIndex } from '../services/file';
import { CorpusRegistry, IngestPipeline, RagService } from '../services/rag';
import type { HttpClient } from '../transport';
import type { CommunityContext } from './community-context';
import { PeriodicTask, ShutdownStack } from '../lifecycle';
import { BlobError } from '../blobs';

/** Parallel chunk streams per file fetch: transfers wait on disk and network latency, not CPU (measured 0.38 -> 0.52 of an HTTPS download going from 2 to 6). */
export const FILE_FETCH_STREAMS = 6;

/** How often blob storage is measured and garbage-collected when the disk fills. */
export const BLOB_HOUSEKEEPING_MS = 60_000;

export interface CommunityServicesDeps {
  readonly config: Config;
  readonly kp: KeyPair;
  readonly community: CommunityContext;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly client: HttpClient;
  readonly log: Logger;
  readonly metrics?: Metrics;
}

export interface CommunityServices {
  readonly market: MarketplaceService | null;
  readonly chat: ChatService | null;
  readonly delivery: DeliveryManager | null;
  readonly blobs: BlobStore;
  readonly files: FileService;
  readonly fileClient: FileClient;
  readonly sources: SourceIndex;
  readonly rag: RagService | null;
  readonly ingest: IngestPipeline | null;
  readonly corpora: CorpusRegistry | null;
  stop(): Promise<void>;
}

export async function startCommunityServices(d: CommunityServicesDeps): Promise<CommunityServices> {
  const { config, kp, community, bus, peers, client, log } = d;
  const stack = new ShutdownStack(log);
  const append = (type: Parameters<typeof community.log.appendLocal>[0], data: Record<string, unknown>): Event =>
    community.log.appendLocal(type, data, kp);
  try {
    let market: MarketplaceService | null = null;
    if (config.market.enabled) {
      const view = new MarketplaceView();
      community.replay.register('marketplace', view, [...MARKET_EVENT_TYPES]);
      community.replay.rebuild('marketplace');
      market = new MarketplaceService({
        config: config.market,
        view,
        ourNodeId: kp.nodeIdFull,
        appendEvent: append,
        onSweepError: (err) => log.warn('marketplace sweep failed', { error: String(err) }),
      });
      stack.push('marketplace', await offerService(bus, market));
    }

    let chat: ChatService | null = null;
    let delivery: DeliveryManager | null = null;
    if (config.chat.enabled) {
      const view = new ChatView(kp, {
        onUndecryptable: (err, e) =>
          log.warn('a message to this household could not be opened', {
            event_id: e.event_id,
            sender: e.sender,
            error: err.message,
          }),
      });
      community.replay.register('chat', view, [...CHAT_VIEW_EVENT_TYPES]);
      community.replay.rebuild('chat');
      const push = async (nodeId: NodeId, event: Event) => {
        const peer = peers.get(nodeId);
        if (!peer || peer.endpoints.length === 0) throw new Error(`${nodeId} is not reachable now`);
        const reply = await checkedSyncChannel(
          client.syncChannel({ nodeId: peer.node_id_full, endpoint: peer.endpoints[0] }),
          peer.node_id_full,
        ).events({ events: [event] });
        if (reply.rejected.length) throw new Error(`${nodeId} refused the message: ${JSON.stringify(reply.rejected)}`);
      };
      delivery = new DeliveryManager(
        {
          log: community.log,
          ourKp: kp,
          peers: () => peers.all().map((p) => p.node_id_full),
          sendDirect: push,
          forwardVia: push,
          config: config.chat,
          outboxPath: join(config.community.state_dir, 'chat-outbox.json'),
        },
        { onWarn: (message, details) => log.warn(message, details) },
      );
      chat = new ChatService(
        {
          log: community.log,
          kp,
          view,
          delivery,
          communityId: community.communityId,
          isMember: (id) => community.state.isMember(id) && !community.state.isRevoked(id),
          config: config.chat,
        },
        { onWarn: (message, details) => log.warn(message, details) },
      );
      stack.push('chat', await offerService(bus, chat));
      const dm = delivery;
      stack.push(
        'chat delivery wiring',
        peers.on((e) => {
          // A rejection here would be unhandled (and end the process): log it instead.
          if (e.kind === 'added')
            dm.onPeerOnline(e.peer.node_id_full).catch((err: unknown) =>
              log.warn('chat delivery to a peer that came online failed', { error: String(err) }),
            );
        }),
      );
    }
    // Files: content-addressed blobs, served to members and fetched from whoever holds them.
    const blobs = new BlobStore(config.file.blobs_dir, {
      gcThreshold: config.file.gc_threshold,
      logger: { warn: (m, x) => log.warn(m, x) },
    });
    await blobs.start();
    stack.push('blob store', () => blobs.stop());
    const housekeep = async () => {
      const freed = await blobs.gc();
      if (freed > 0) log.info('blob store cleaned up', { freed_bytes: freed });
      d.metrics?.std.blobStorageBytes.set(blobs.totalBytes());
    };
    const housekeepingFailed = (err: unknown) => log.warn('blob housekeeping failed', { error: String(err) });
    // The first round is part of starting (a full disk is dealt with before anything is fetched).
    await housekeep().catch(housekeepingFailed);
    const housekeeping = new PeriodicTask(housekeep, BLOB_HOUSEKEEPING_MS, housekeepingFailed);
    housekeeping.start();
    stack.push('blob housekeeping', () => housekeeping.stop());
    const sources = new SourceIndex();
    community.replay.register('file-sources', sources, ['file.cid.advertised', 'file.cid.unpinned']);
    community.replay.rebuild('file-sources');
    const files = new FileService({ store: blobs, ourNodeId: kp.nodeIdFull, appendEvent: append });
    stack.push('file service', await offerService(bus, files));
    const fileClient = new FileClient(
      {
        bus,
        store: blobs,
        sourcesOf: (cid) => sources.sourcesOf(cid, kp.nodeIdFull),
        // Pieces from a known neighbour travel as raw bytes (no base64, no JSON).
        binary: (nodeId, req, signal) => {
          const peer = peers.get(nodeId);
          if (!peer || peer.endpoints.length === 0) throw new BlobError('not_found', `${nodeId} is not reachable now`);
          return client.fetchChunks({ nodeId: peer.node_id_full, endpoint: peer.endpoints[0] }, req, { signal });
        },
      },
      { concurrency: FILE_FETCH_STREAMS },
    );
    stack.push('file client', () => fileClient.stop());

    // Documents: corpora of shared documents, searchable by every member.
    let rag: RagService | null = null;
    let ingest: IngestPipeline | null = null;
    let corpora: CorpusRegistry | null = null;
    if (config.rag.enabled) {
      corpora = new CorpusRegistry(config.rag.corpora_dir);
      const reg = corpora;
      ingest = new IngestPipeline(
        {
          bus,
          blobStore: blobs,
          corpora: (n, e) => reg.open(n, e),
          corpusEmbedding: (n) => reg.embeddingOf(n),
          eventLog: community.log,
          authorKp: kp,
        },
        // New corpora embed with the configured model; ingest falls back to keywords when no node offers it.
        // Every ingest path (rag.ingest, the app, the CLI) re-offers a corpus that is new or gained vectors.
        { embedModel: config.embedding.model, onIndexed: (r) => rag?.syncRegistration(r.corpus) },
      );
      rag = new RagService({
        corpora,
        pipeline: ingest,
        bus,
        blobStore: blobs,
        fetchBlob: (cid, signal) => fileClient.fetch(cid, { signal }),
      });
      stack.push('rag', await offerService(bus, rag));
    }
    return {
      market,
      chat,
      delivery,
      blobs,
      files,
      fileClient,
      sources,
      rag,
      ingest,
      corpora,
      stop: () => stack.unwind(),
    };
  } catch (err) {
    await stack.unwind();
    throw err;
  }
}
