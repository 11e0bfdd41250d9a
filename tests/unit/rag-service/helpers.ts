/** Test helpers: a file mesh plus a real Model2Vec embed.text capability, a RAG node, and a fake llm.chat. */
import { join } from 'node:path';
import { defineCapability, type HandlerContext } from '../../../src-main/runtime/bus';
import {
  EMBED_TEXT_REQUEST_SCHEMA,
  EMBED_TEXT_RESPONSE_SCHEMA,
  StaticModel2VecBackend,
} from '../../../src-main/runtime/services/embedding';
import { FileClient } from '../../../src-main/runtime/services/file';
import { CorpusRegistry, IngestPipeline, RagService } from '../../../src-main/runtime/services/rag';
import type { FrameData } from '../../../src-main/runtime/transport/contract';
import { model2vecDir } from '../embedding/model-path';
import type { FileMesh, FileNode } from '../file-service/helpers';

export const EMBED_MODEL = 'model2vec-bge-64d-q';
let backend: StaticModel2VecBackend | null = null;

/** Offers embed.text@1.0 on `node` with the real test model; `fail(n)` may throw on the n-th call. */
export function addEmbedder(node: FileNode, fail?: (call: number) => boolean): { calls: number } {
  backend ??= new StaticModel2VecBackend({ dir: model2vecDir(), model: EMBED_MODEL });
  const b = backend;
  const stats = { calls: 0 };
  node.node.bus.registerCapability(
    defineCapability({
      name: 'embed.text',
      version: [1, 0],
      params: { model: EMBED_MODEL },
      idempotent: true,
      request_schema: EMBED_TEXT_REQUEST_SCHEMA,
      response_schema: EMBED_TEXT_RESPONSE_SCHEMA,
    }),
    async (ctx: HandlerContext) => {
      stats.calls++;
      if (fail?.(stats.calls)) throw new Error('embedder crashed');
      const texts = (ctx.body as { texts: string[] }).texts;
      const vectors = await b.embed(texts);
      return { model: EMBED_MODEL, dim: b.dim, vectors: vectors.map((v) => Array.from(v)) };
    },
    (offered, requested) => requested.model === offered.model,
  );
  return stats;
}

export interface RagNode {
  readonly corpora: CorpusRegistry;
  readonly pipeline: IngestPipeline;
  readonly rag: RagService;
  readonly client: FileClient;
}

/** Sets up the RAG side on `node` (corpora under the mesh's temp dir) and registers the service. */
export function addRag(
  fm: FileMesh,
  name: string,
  opts: { embedModel?: string | null; batchSize?: number } = {},
): RagNode {
  const n = fm.nodes[name];
  const corpora = new CorpusRegistry(join(fm.dir, name, 'corpora'));
  const bus = n.node.bus;
  const pipeline = new IngestPipeline(
    {
      bus,
      blobStore: n.store,
      corpora: (c, e) => corpora.open(c, e),
      corpusEmbedding: (c) => corpora.embeddingOf(c),
      eventLog: n.log,
      authorKp: n.kp,
    },
    { embedModel: opts.embedModel === undefined ? EMBED_MODEL : opts.embedModel, batchSize: opts.batchSize },
  );
  const client = new FileClient({ bus, store: n.store });
  const rag = new RagService({
    corpora,
    pipeline,
    bus,
    blobStore: n.store,
    fetchBlob: (cid, signal) => client.fetch(cid, { signal }),
  });
  bus.registerService(rag);
  return { corpora, pipeline, rag, client };
}

/**
 * A stand-in llm.chat@1.0 (this worktree has no LlmService): streams the given answer word by
 * word as `token` frames and records the requests it received.
 */
export function addFakeLlm(
  node: FileNode,
  answer: string,
  model = 'fake-chat',
): { requests: Array<{ model: string; messages: Array<{ role: string; content: string }> }> } {
  const seen = { requests: [] as Array<{ model: string; messages: Array<{ role: string; content: string }> }> };
  node.node.bus.registerCapability(
    defineCapability({
      name: 'llm.chat',
      version: [1, 0],
      params: { model, ctx: 2048 },
      request_schema: { type: 'object', required: ['model', 'messages'] },
    }),
    (ctx: HandlerContext) => {
      seen.requests.push(ctx.body as (typeof seen.requests)[number]);
      // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
      return (async function* (): AsyncGenerator<FrameData> {
        for (const w of answer.split(/(?<= )/)) yield { event: 'token', data: { text: w } };
        yield { event: 'done', data: { tokens_in: 10, tokens_out: 5, stop_reason: 'stop', ms: 1 } };
      })();
    },
  );
  return seen;
}
