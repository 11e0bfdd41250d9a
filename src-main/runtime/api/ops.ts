/**
 * Long operations of the local API (`POST /api/v1/ops/<name>`): their names, typed inputs and the
 * frames they stream as server-sent events (`progress`*, then `done`, or `error` with a wire error).
 */
import { CallError } from '../../common';

export const OP_NAMES = ['files.get', 'rag.ingest', 'rag.reindex', 'ask', 'models.pull'] as const;
export type OpName = (typeof OP_NAMES)[number];

export interface OpInputs {
  /** Fetch a file from neighbours into the blob store, then write it to `out` (absolute path). */
  'files.get': { readonly cid: string; readonly out: string };
  /** Add a local file (absolute path) to the blob store and index it into a corpus. */
  'rag.ingest': { readonly path: string; readonly corpus: string; readonly title?: string };
  /** Re-index every document of a corpus (optionally with an embedding model). */
  'rag.reindex': { readonly corpus: string; readonly embedding_model?: string };
  /** Ask the neighbourhood: retrieve from the corpora, stream an answer with citations. */
  ask: { readonly question: string; readonly corpora?: readonly string[]; readonly model?: string };
  /** Download a GGUF model into the models folder. */
  'models.pull': { readonly url: string; readonly sha256?: string };
}

/** One server-sent event of an op. `data` shapes are listed in docs/protocol/cli-api.md. */
export interface OpFrame {
  readonly event: 'progress' | 'sources' | 'token' | 'done';
  readonly data: unknown;
}

export function isOpName(name: string): name is OpName {
  return (OP_NAMES as readonly string[]).includes(name);
}

function bad(message: string): never {
  throw new CallError('bad_request', message);
}

function text(o: Record<string, unknown>, k: string, required: true): string;
function text(o: Record<string, unknown>, k: string, required: false): string | undefined;
function text(o: Record<string, unknown>, k: string, required: boolean): string | undefined {
  const v = o[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim().length === 0) bad(`${k} must be a non-empty string`);
  return v;
}

function absolute(o: Record<string, unknown>, k: string): string {
  const p = text(o, k, true);
  if (!p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p)) bad(`${k} must be an absolute path (the CLI resolves it for you)`);
  return p;
}

/** Validates an op's JSON body; CallError('bad_request') names the field at fault. */
export function parseOpInput<N extends OpName>(name: N, body: unknown): OpInputs[N] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('the request body must be a JSON object');
  const o = body as Record<string, unknown>;
  const parsed: { [K in OpName]: () => OpInputs[K] } = {
    'files.get': () => ({ cid: text(o, 'cid', true), out: absolute(o, 'out') }),
    'rag.ingest': () => ({ path: absolute(o, 'path'), corpus: text(o, 'corpus', true), title: text(o, 'title', false) }),
    'rag.reindex': () => ({ corpus: text(o, 'corpus', true), embedding_model: text(o, 'embedding_model', false) }),
    ask: () => {
      const corpora = o.corpora;
      if (corpora !== undefined && (!Array.isArray(corpora) || !corpora.every((c) => typeof c === 'string' && c.length > 0))) bad('corpora must be a list of corpus names');
      return { question: text(o, 'question', true), corpora: corpora as string[] | undefined, model: text(o, 'model', false) };
    },
    'models.pull': () => {
      const sha256 = text(o, 'sha256', false);
      if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) bad('sha256 must be 64 hexadecimal characters');
      return { url: text(o, 'url', true), sha256: sha256?.toLowerCase() };
    },
  };
  return parsed[name]() as OpInputs[N];
}
