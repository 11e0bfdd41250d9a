/** Corpus names: the one rule, shared by the store, the service and the file layout. */
import { join } from 'node:path';
import { RagError } from './errors';

export const CORPUS_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** One SQLite file per corpus: `<corporaDir>/<corpus>.sqlite`. */
export const CORPUS_FILE_SUFFIX = '.sqlite';

/** Throws RagError('invalid_corpus_name') unless `name` matches CORPUS_NAME_RE. */
export function validateCorpusName(name: unknown): string {
  if (typeof name !== 'string' || !CORPUS_NAME_RE.test(name)) {
    throw new RagError(
      'invalid_corpus_name',
      `"${String(name)}" is not a valid corpus name: use 1-64 lower-case letters, digits, "-" or "_", starting with a letter or digit.`,
      {
        details: { corpus: String(name) },
      },
    );
  }
  return name;
}

export function corpusFile(corporaDir: string, corpus: string): string {
  return join(corporaDir, `${validateCorpusName(corpus)}${CORPUS_FILE_SUFFIX}`);
}
