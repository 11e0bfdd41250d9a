/**
 * Long operations of the local API (`POST /api/v1/ops/<name>`): their names, typed inputs and the
 * frames they stream as server-sent events (`progress`*, then `done`, or `error` with a wire error).
 */
import { Type } from '@sinclair/typebox';
import { CallError } from '../../common';
import { AbsolutePath, input, Text } from './validate';

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

const OP_SCHEMAS = {
  'files.get': Type.Object({ cid: Text(), out: AbsolutePath() }),
  'rag.ingest': Type.Object({ path: AbsolutePath(), corpus: Text(), title: Type.Optional(Text()) }),
  'rag.reindex': Type.Object({ corpus: Text(), embedding_model: Type.Optional(Text()) }),
  ask: Type.Object({ question: Text(), corpora: Type.Optional(Type.Array(Text())), model: Type.Optional(Text()) }),
  'models.pull': Type.Object({
    url: Text(),
    sha256: Type.Optional(
      Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'must be 64 hexadecimal characters' }),
    ),
  }),
};
const OP_PARSERS = Object.fromEntries(Object.entries(OP_SCHEMAS).map(([k, v]) => [k, input(v)])) as {
  [N in OpName]: (v: unknown) => OpInputs[N];
};

/** Validates an op's JSON body; CallError('bad_request') names the field at fault. */
export function parseOpInput<N extends OpName>(name: N, body: unknown): OpInputs[N] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new CallError('bad_request', 'the request body must be a JSON object');
  const parsed = OP_PARSERS[name](body);
  if (name === 'models.pull') {
    const p = parsed as OpInputs['models.pull'];
    return { ...p, sha256: p.sha256?.toLowerCase() } as OpInputs[N];
  }
  return parsed;
}
