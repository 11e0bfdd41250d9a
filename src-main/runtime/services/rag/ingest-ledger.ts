/** A small per-corpus record of finished ingests (`<corpus>.ingests.json` beside the corpus file), so a re-ingest returns the first result. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { RagError } from './errors';

/** What an ingest produced; `ingest_event_id` is null between the corpus commit and the event append. */
export interface IngestRecord {
  doc_cid: string;
  corpus: string;
  title: string;
  chunks_indexed: number;
  tokens_indexed: number;
  embedding_model: string | null;
  ingest_event_id: string | null;
}

/** Reads and rewrites the ledger file atomically (temp file + rename); it is small (one line per document). */
export class IngestLedger {
  readonly file: string;

  constructor(corpusFile: string) {
    this.file = corpusFile.replace(/\.sqlite$/, '') + '.ingests.json';
  }

  get(docCid: string): IngestRecord | null {
    return this.#read()[docCid] ?? null;
  }

  put(rec: IngestRecord): void {
    const all = this.#read();
    all[rec.doc_cid] = rec;
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(all));
      renameSync(tmp, this.file);
    } catch (cause) {
      throw new RagError('io_error', `Could not record the ingest in ${this.file}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }

  #read(): Record<string, IngestRecord> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, IngestRecord>;
    } catch {
      return {}; // missing or damaged: a re-ingest then re-derives what it needs
    }
  }
}
