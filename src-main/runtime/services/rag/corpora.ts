/** listCorpora / corpusInfo: what corpora exist on disk, without opening them for writing. */
import { readdirSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CORPUS_FILE_SUFFIX, CORPUS_NAME_RE, corpusFile } from './corpus-name';
import { RagError } from './errors';

export interface CorpusInfo {
  corpus: string;
  documents: number;
  chunks: number;
  size_bytes: number;
  language_majority: string | null;
  embedding_model: string | null;
  dim: number;
}

/** Corpus names with a file in `corporaDir`, sorted; a missing folder means none. */
export function listCorpora(corporaDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(corporaDir);
  } catch {
    return [];
  }
  return names
    .filter((f) => f.endsWith(CORPUS_FILE_SUFFIX))
    .map((f) => f.slice(0, -CORPUS_FILE_SUFFIX.length))
    .filter((n) => CORPUS_NAME_RE.test(n))
    .sort();
}

/** Summary of one corpus, read through a read-only connection. Throws RagError('not_found') if absent. */
export function corpusInfo(corporaDir: string, corpus: string): CorpusInfo {
  const file = corpusFile(corporaDir, corpus);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new RagError('not_found', `There is no corpus called "${corpus}".`, { cause, details: { corpus } });
  }
  try {
    const one = (sql: string): unknown => db.prepare(sql).get();
    const meta = new Map(
      (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const size = ['', '-wal', '-shm'].reduce((s, suf) => {
      try {
        return s + statSync(file + suf).size;
      } catch {
        return s;
      }
    }, 0);
    return {
      corpus,
      documents: (one("SELECT COUNT(*) AS n FROM documents WHERE state = 'complete'") as { n: number }).n,
      chunks: (
        one(
          "SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE d.state = 'complete'",
        ) as { n: number }
      ).n,
      size_bytes: size,
      language_majority:
        (
          one(
            "SELECT language FROM documents WHERE state = 'complete' AND language IS NOT NULL AND language <> '' GROUP BY language ORDER BY COUNT(*) DESC, language LIMIT 1",
          ) as { language: string } | undefined
        )?.language ?? null,
      embedding_model: meta.get('embedding_model') ?? null,
      dim: Number(meta.get('dim') ?? 0),
    };
  } finally {
    db.close();
  }
}
