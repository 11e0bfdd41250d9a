/**
 * §17 of ../shared/spec/hearthnet-reference.md step 8 for the services that live in the community:
 * the marketplace and private chat (their views registered on the replay engine and rebuilt from
 * the log), files (blob store, file service, file client) and documents (RAG). Built once per
 * community; start offers their capabilities on the bus, stop withdraws them and stops the
 * services, before the log closes.
 */
import { join } from 'node:path';
import type { NodeId } from '../../common';
import { offerService } from '../services/base';
import { checkedSyncChannel, type Event } from '../events';
import type { Logger } from '../observability';
import { CHAT_VIEW_EVENT_TYPES, ChatService, ChatView, DeliveryManager } from '../services/chat';
import { MARKET_EVENT_TYPES, MarketplaceService, MarketplaceView } from '../services/marketplace';
import { BlobStore } from '../blobs';
import { FileClient, FileService, SourceIndex } from '../services/file';
import { CorpusRegistry, IngestPipeline, RagService } from '../services/rag';
import type { CommunityContext } from './community-context';
import type { NodeComponents } from './components';
import { PeriodicTask, ShutdownStack, StartGate, type Startable } from '../lifecycle';
import { BlobError } from '../blobs';

/** Parallel chunk streams per file fetch: transfers wait on disk and network latency, not CPU (measured 0.38 -> 0.52 of an HTTPS download going from 2 to 6). */
export const FILE_FETCH_STREAMS = 6;

/** How often blob storage is measured and garbage-collected when the disk fills. */
export const BLOB_HOUSEKEEPING_MS = 60_000;

export type CommunityServicesComponents = Pick<
  NodeComponents,
  'config' | 'keys' | 'bus' | 'peers' | 'transport' | 'logger' | 'metrics'
>;

export interface CommunityServicesInit {
  readonly community: CommunityContext;
}

export class CommunityServices implements Startable {
  readonly market: MarketplaceService | null = null;
  readonly chat: ChatService | null = null;
  readonly delivery: DeliveryManager | null = null;
  readonly blobs: BlobStore;
  readonly files: FileService;
  readonly fileClient: FileClient;
  readonly sources: SourceIndex;
  readonly rag: RagService | null = null;
  readonly ingest: IngestPipeline | null = null;
  readonly corpora: CorpusRegistry | null = null;
  readonly #log: Logger;
  readonly #stack: ShutdownStack;
  readonly #gate = new StartGate(
    () => this.#start(),
    () => this.#stack.unwind(),
  );

  constructor(
    private readonly c: CommunityServicesComponents,
    init: CommunityServicesInit,
  ) {
    const { community } = init;
    const { keys: kp, bus, peers, transport: client } = c;
    const config = c.config();
    const log = (this.#log = c.logger.forComponent('node'));
    this.#stack = new ShutdownStack(log);
    const append = (type: Parameters<typeof community.log.appendLocal>[0], data: Record<string, unknown>): Event =>
      community.log.appendLocal(type, data, kp);

    if (config.market.enabled) {
      const view = new MarketplaceView();
      community.replay.register('marketplace', view, [...MARKET_EVENT_TYPES]);
      community.replay.rebuild('marketplace');
      this.market = new MarketplaceService({
        config: config.market,
        view,
        ourNodeId: kp.nodeIdFull,
        appendEvent: append,
        log: c.logger.forComponent('marketplace'),
      });
    }

    if (config.chat.enabled) {
      const chatLog = c.logger.forComponent('chat');
      const view = new ChatView(kp, { log: chatLog });
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
      this.delivery = new DeliveryManager(
        {
          log: community.log,
          ourKp: kp,
          peers: () => peers.all().map((p) => p.node_id_full),
          sendDirect: push,
          forwardVia: push,
          config: config.chat,
          outboxPath: join(config.community.state_dir, 'chat-outbox.json'),
        },
        { log: chatLog },
      );
      this.chat = new ChatService(
        {
          log: community.log,
          kp,
          view,
          delivery: this.delivery,
          communityId: community.communityId,
          isMember: (id) => community.state.isMember(id) && !community.state.isRevoked(id),
          config: config.chat,
        },
        { log: chatLog },
      );
    }

    // Files: content-addressed blobs, served to members and fetched from whoever holds them.
    const blobs = (this.blobs = new BlobStore(config.file.blobs_dir, {
      gcThreshold: config.file.gc_threshold,
      log: c.logger.forComponent('blobs'),
    }));
    this.sources = new SourceIndex();
    community.replay.register('file-sources', this.sources, ['file.cid.advertised', 'file.cid.unpinned']);
    community.replay.rebuild('file-sources');
    this.files = new FileService({ store: blobs, ourNodeId: kp.nodeIdFull, appendEvent: append });
    const sources = this.sources;
    const fileClient = (this.fileClient = new FileClient(
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
        // A big file's pieces are received in threads, off the event loop (blobs/receiver-threads.ts).
        signBinary: async (nodeId, req) => {
          const peer = peers.get(nodeId);
          if (!peer || peer.endpoints.length === 0) throw new BlobError('not_found', `${nodeId} is not reachable now`);
          return client.prepareSigned(
            { nodeId: peer.node_id_full, endpoint: peer.endpoints[0] },
            '/blobs/v1/chunks',
            req,
          );
        },
      },
      { concurrency: FILE_FETCH_STREAMS },
    ));

    // Documents: corpora of shared documents, searchable by every member.
    if (config.rag.enabled) {
      const corpora = (this.corpora = new CorpusRegistry(config.rag.corpora_dir));
      this.ingest = new IngestPipeline(
        {
          bus,
          blobStore: blobs,
          corpora: (n, e) => corpora.open(n, e),
          corpusEmbedding: (n) => corpora.embeddingOf(n),
          eventLog: community.log,
          authorKp: kp,
        },
        // New corpora embed with the configured model; ingest falls back to keywords when no node offers it.
        // Every ingest path (rag.ingest, the app, the CLI) re-offers a corpus that is new or gained vectors.
        { embedModel: config.embedding.model, onIndexed: (r) => this.rag?.syncRegistration(r.corpus) },
      );
      this.rag = new RagService({
        corpora,
        pipeline: this.ingest,
        bus,
        blobStore: blobs,
        fetchBlob: (cid, signal) => fileClient.fetch(cid, { signal }),
      });
    }
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  stop(): Promise<void> {
    return this.#gate.stop();
  }

  /** Each service offered on the bus in turn; each one's undo goes on the stack as soon as it runs. */
  async #start(): Promise<void> {
    const { bus, peers } = this.c;
    const [stack, log] = [this.#stack, this.#log];
    if (this.market) stack.push('marketplace', await offerService(bus, this.market));
    if (this.chat) stack.push('chat', await offerService(bus, this.chat));
    const dm = this.delivery;
    if (dm)
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
    await this.blobs.start();
    stack.push('blob store', () => this.blobs.stop());
    const housekeeping = this.#housekeeping();
    // The first round is part of starting (a full disk is dealt with before anything is fetched).
    await housekeeping.run();
    housekeeping.task.start();
    stack.push('blob housekeeping', () => housekeeping.task.stop());
    stack.push('file service', await offerService(bus, this.files));
    await this.fileClient.start();
    stack.push('file client', () => this.fileClient.stop());
    if (this.rag) stack.push('rag', await offerService(bus, this.rag));
  }

  /** Measures blob storage and garbage-collects when the disk fills, every BLOB_HOUSEKEEPING_MS. */
  #housekeeping(): { run(): Promise<void>; task: PeriodicTask } {
    const log = this.#log;
    const housekeep = async () => {
      const freed = await this.blobs.gc();
      if (freed > 0) log.info('blob store cleaned up', { freed_bytes: freed });
      this.c.metrics.std.blobStorageBytes.set(this.blobs.totalBytes());
    };
    const failed = (err: unknown) => log.warn('blob housekeeping failed', { error: String(err) });
    return {
      run: () => housekeep().catch(failed),
      task: new PeriodicTask(housekeep, BLOB_HOUSEKEEPING_MS, failed),
    };
  }
}
