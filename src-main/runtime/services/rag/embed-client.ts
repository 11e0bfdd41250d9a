/** Embedding through the bus (`embed.text@1.0`), telling "no embedder on the mesh" apart from real failures. */
import { HearthError, type Unchecked, type Version } from '../../../common';
import type { BusCallOptions } from '../../bus';
import type { EmbedTextResponse } from '../embedding';
import { RagError } from './errors';

/** The part of the bus the RAG service uses. */
export interface BusLike {
  call(capability: string, versionReq: Version | string, body: unknown, opts?: BusCallOptions): Promise<unknown>;
}

/** True when `err` means no instance of the capability can be reached right now (so fall back, do not fail). */
export function isUnavailable(err: unknown): boolean {
  return err instanceof HearthError && (err.wireCode === 'not_found' || err.wireCode === 'partition');
}

/** Embeds `texts` with `model` somewhere on the mesh; checks the answer has one vector per text. */
export async function embedViaBus(
  bus: BusLike,
  texts: string[],
  model: string,
  signal?: AbortSignal,
): Promise<EmbedTextResponse> {
  const r = (await bus.call(
    'embed.text',
    [1, 0],
    { texts, model },
    { params: { model }, signal },
  )) as Unchecked<EmbedTextResponse> | null; // a neighbour's answer: checked below
  const vectors: unknown = r?.vectors;
  if (
    !r ||
    !Array.isArray(vectors) ||
    vectors.length !== texts.length ||
    !vectors.every((v) => Array.isArray(v) && v.length === r.dim)
  ) {
    throw new RagError(
      'embedding_mismatch',
      `The embedding service answered with ${Array.isArray(vectors) ? vectors.length : 0} vectors for ${texts.length} texts.`,
    );
  }
  return r as EmbedTextResponse;
}
