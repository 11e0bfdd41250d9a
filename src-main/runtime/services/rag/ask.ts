/**
 * "Ask the neighbourhood": retrieve from every rag.query instance on the mesh (or the chosen
 * corpora), then stream an answer from llm.chat@1.0 with numbered citations [1], [2] ... When no
 * language model is reachable, the retrieved passages themselves are the answer.
 */
import { HearthError, RAG_DEFAULT_K, RAG_MAX_K } from '../../../common';
import type { CapabilityBus } from '../../bus';
import { isUnavailable } from './embed-client';
import { RagError } from './errors';
import type { RagHit } from './service';

/** Characters of each retrieved chunk put into the prompt (keeps small-context models usable). */
export const ASK_CHUNK_CHARS = 1_200;
/** Tokens the answer may use. */
export const ASK_MAX_TOKENS = 512;

/** One numbered source of an answer. */
export interface Citation {
  /** The number used in the answer: [n]. */
  n: number;
  corpus: string;
  doc_cid: string;
  title: string;
  page: number | null;
  section: string | null;
  score: number;
  text: string;
}

/** What askMesh yields, in order: `sources` once, then `text` pieces, then `done`. */
export type AskEvent =
  | { type: 'sources'; sources: Citation[] }
  | { type: 'text'; text: string }
  | { type: 'done'; answered_by: 'llm' | 'passages'; model: string | null; notice: string | null };

export interface AskOptions {
  bus: Pick<CapabilityBus, 'call' | 'stream' | 'registry'>;
  question: string;
  /** Corpora to search; default every corpus offered on the mesh. */
  corpora?: string[];
  k?: number;
  /** llm.chat model; default the best one offered. */
  model?: string;
  signal?: AbortSignal;
  onSources?: (sources: Citation[]) => void;
}

export const NO_LLM_NOTICE =
  'No language model is available on your network right now, so here are the most relevant passages instead.';
export const NO_CORPUS_NOTICE =
  'No shared documents were found for this question, so the answer below does not cite any.';

/** Corpus names offered by rag.query instances the bus can route to. */
export function meshCorpora(bus: Pick<CapabilityBus, 'registry'>): string[] {
  const names = bus.registry
    .find('rag.query', [1, 0])
    .filter((e) => e.contract !== 'mismatch' && (e.is_local ? e.handler !== null : e.endpoint !== null))
    .map((e) => e.descriptor.params.corpus)
    .filter((c): c is string => typeof c === 'string');
  return [...new Set(names)].sort();
}

/** The llm.chat model to use: the requested one, else a local one, else the one with the largest context. */
function pickModel(bus: Pick<CapabilityBus, 'registry'>, wanted?: string): string | null {
  const offers = bus.registry
    .find('llm.chat', [1, 0])
    .filter((e) => e.contract !== 'mismatch' && typeof e.descriptor.params.model === 'string');
  if (wanted) return offers.some((e) => e.descriptor.params.model === wanted) ? wanted : null;
  offers.sort(
    (a, b) =>
      Number(b.is_local) - Number(a.is_local) ||
      Number(b.descriptor.params.ctx ?? 0) - Number(a.descriptor.params.ctx ?? 0),
  );
  return (offers[0]?.descriptor.params.model as string | undefined) ?? null;
}

/** Queries each corpus, merges by score (best first), numbers the top k. */
export async function retrieve(opts: AskOptions): Promise<Citation[]> {
  const k = Math.min(Math.max(1, opts.k ?? RAG_DEFAULT_K), RAG_MAX_K);
  const corpora = opts.corpora ?? meshCorpora(opts.bus);
  const settled = await Promise.allSettled(
    corpora.map(async (corpus) => {
      const r = (await opts.bus.call(
        'rag.query',
        [1, 0],
        { corpus, query: opts.question, k },
        { params: { corpus }, signal: opts.signal },
      )) as { chunks: RagHit[] };
      return r.chunks.map((c) => ({ corpus, hit: c }));
    }),
  );
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (corpora.length && failures.length === corpora.length && !failures.every((f) => isUnavailable(f.reason)))
    throw failures[0].reason;
  const hits = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  hits.sort((a, b) => b.hit.score - a.hit.score);
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const { corpus, hit } of hits) {
    const key = `${hit.doc_cid}|${String(hit.metadata.chunk_index)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      n: out.length + 1,
      corpus,
      doc_cid: hit.doc_cid,
      title: hit.title,
      score: hit.score,
      text: hit.text,
      page: typeof hit.metadata.page === 'number' ? hit.metadata.page : null,
      section: typeof hit.metadata.section === 'string' ? hit.metadata.section : null,
    });
    if (out.length >= k) break;
  }
  return out;
}

/** "Title, p. 3" — how a source is named to people and to the model. */
export function citationLabel(c: Citation): string {
  return `${c.title || c.doc_cid}${c.page !== null ? `, p. ${c.page}` : c.section ? `, ${c.section}` : ''}`;
}

/** The chat messages: instructions, then the numbered sources and the question. */
export function buildPrompt(
  question: string,
  sources: readonly Citation[],
): Array<{ role: 'system' | 'user'; content: string }> {
  const system = sources.length
    ? 'You answer questions for a neighbourhood using only the numbered sources given. Cite the sources you use like [1] or [2]. If the sources do not contain the answer, say so plainly.'
    : 'You answer questions for a neighbourhood. No shared documents matched this question; say so, and answer briefly only if you are sure.';
  const blocks = sources.map(
    (s) =>
      `[${s.n}] ${citationLabel(s)}\n${s.text.length > ASK_CHUNK_CHARS ? `${s.text.slice(0, ASK_CHUNK_CHARS)}…` : s.text}`,
  );
  const user = `${blocks.length ? `Sources:\n\n${blocks.join('\n\n')}\n\n` : ''}Question: ${question}`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** Retrieves, then streams the answer. See AskEvent for what is yielded. */
export async function* askMesh(opts: AskOptions): AsyncGenerator<AskEvent> {
  const question = opts.question.trim();
  if (!question) throw new RagError('bad_request', 'Please type a question.');
  const sources = await retrieve({ ...opts, question });
  opts.onSources?.(sources);
  yield { type: 'sources', sources };
  const model = pickModel(opts.bus, opts.model);
  if (!model) {
    yield { type: 'text', text: passagesAnswer(sources) };
    yield { type: 'done', answered_by: 'passages', model: null, notice: NO_LLM_NOTICE };
    return;
  }
  const body = { model, messages: buildPrompt(question, sources), max_tokens: ASK_MAX_TOKENS, stream: true };
  try {
    for await (const f of opts.bus.stream('llm.chat', [1, 0], body, { params: { model }, signal: opts.signal })) {
      if (f.event === 'token' && typeof f.data.text === 'string') yield { type: 'text', text: f.data.text };
    }
  } catch (err) {
    // The model vanished before answering: fall back to the passages rather than fail the question.
    if (!(err instanceof HearthError) || !isUnavailable(err)) throw err;
    yield { type: 'text', text: passagesAnswer(sources) };
    yield { type: 'done', answered_by: 'passages', model: null, notice: NO_LLM_NOTICE };
    return;
  }
  yield { type: 'done', answered_by: 'llm', model, notice: sources.length ? null : NO_CORPUS_NOTICE };
}

/** The answer without a model: the notice and each passage with its citation. */
function passagesAnswer(sources: readonly Citation[]): string {
  if (!sources.length) return `${NO_LLM_NOTICE}\n\nNo shared documents matched your question either.`;
  return `${NO_LLM_NOTICE}\n\n${sources.map((s) => `[${s.n}] ${citationLabel(s)}\n${s.text}`).join('\n\n')}`;
}
