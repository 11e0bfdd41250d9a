/** The persisted set of pinned CIDs (a pinned manifest protects all its chunks from gc). */
import { readFile } from 'node:fs/promises';
import { canonicalJson, type Cid } from '../../common';
import { isCid } from './cid';
import { errnoOf, ioError, tmpName, writeAtomic } from './fs-util';
import { BlobError } from './errors';

export class PinSet {
  #pins = new Set<Cid>();
  #saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly tmpDir: string,
  ) {}

  /** Reads pins.json; a missing file means no pins. A damaged one is refused, not silently emptied. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return;
      throw ioError('reading the list of pinned files', err);
    }
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (err) {
      throw new BlobError('io_error', `The list of pinned files (${this.path}) is damaged; fix or remove it.`, {
        cause: err,
      });
    }
    if (!Array.isArray(list) || !list.every(isCid))
      throw new BlobError('io_error', `The list of pinned files (${this.path}) is damaged; fix or remove it.`);
    this.#pins = new Set(list);
  }

  has(cid: Cid): boolean {
    return this.#pins.has(cid);
  }

  all(): Cid[] {
    return [...this.#pins].sort();
  }

  /** Adds or removes a pin and persists; resolves false when nothing changed. */
  async set(cid: Cid, pinned: boolean): Promise<boolean> {
    return (await this.setMany([cid], pinned)).length > 0;
  }

  /** Adds or removes pins and persists them in one write; resolves to the CIDs that changed. */
  async setMany(cids: readonly Cid[], pinned: boolean): Promise<Cid[]> {
    const changed = [...new Set(cids)].filter((c) => this.#pins.has(c) !== pinned);
    if (!changed.length) return [];
    const apply = (on: boolean) => {
      for (const c of changed) {
        if (on) this.#pins.add(c);
        else this.#pins.delete(c);
      }
    };
    apply(pinned);
    // Serialise saves so an older snapshot never lands after a newer one.
    const save = this.#saving.then(() => this.#save());
    this.#saving = save.catch(() => undefined);
    try {
      await save;
    } catch (err) {
      apply(!pinned);
      throw ioError('saving the list of pinned files', err);
    }
    return changed;
  }

  async #save(): Promise<void> {
    await writeAtomic(tmpName(this.tmpDir, 'pins'), this.path, canonicalJson(this.all()), { fsync: true });
  }
}
