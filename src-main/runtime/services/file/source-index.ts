/** Who holds which blob: a MaterialisedView over file.cid.advertised / file.cid.unpinned (§20 of ../shared/spec/hearthnet-reference.md). */
import { isTypedEvent, type Event, type MaterialisedView } from '../../events';
import { isCid } from '../../blobs';

/** What the last advertisement said about a blob. */
export interface KnownBlob {
  readonly cid: string;
  readonly size_bytes: number | null;
  readonly mime_type: string | null;
  readonly filename: string | null;
}

/**
 * cid -> node ids that advertised it and have not unpinned it since. Apply events in log order
 * (lamport, event_id). Malformed entries in an event are skipped, never thrown: the log already
 * accepted the event and a view must not stop replay.
 */
export class SourceIndex implements MaterialisedView {
  #holders = new Map<string, Set<string>>();
  #blobs = new Map<string, KnownBlob>();

  reset(): void {
    this.#holders = new Map();
    this.#blobs = new Map();
  }

  apply(event: Event): void {
    if (!isTypedEvent(event, ['file.cid.advertised', 'file.cid.unpinned'])) return;
    if (event.event_type === 'file.cid.advertised') {
      for (const b of event.data.blobs) {
        if (typeof b !== 'object' || b === null || !('cid' in b) || !isCid(b.cid)) continue;
        let set = this.#holders.get(b.cid);
        if (!set) this.#holders.set(b.cid, (set = new Set()));
        set.add(event.author);
        const size = 'size_bytes' in b ? b.size_bytes : null;
        const mime = 'mime_type' in b ? b.mime_type : null;
        const name = 'filename' in b ? b.filename : null;
        this.#blobs.set(b.cid, {
          cid: b.cid,
          size_bytes: typeof size === 'number' ? size : null,
          mime_type: typeof mime === 'string' ? mime : null,
          filename: typeof name === 'string' ? name : null,
        });
      }
    } else {
      for (const cid of event.data.cids) {
        if (typeof cid !== 'string') continue;
        const set = this.#holders.get(cid);
        set?.delete(event.author);
        if (set && set.size === 0) this.#holders.delete(cid);
      }
    }
  }

  /** Node ids believed to hold `cid` (sorted), excluding `except` (usually our own id). */
  sourcesOf(cid: string, except?: string): string[] {
    return [...(this.#holders.get(cid) ?? [])].filter((n) => n !== except).sort();
  }

  /** What the latest advertisement said about `cid`, if any. */
  blob(cid: string): KnownBlob | null {
    return this.#blobs.get(cid) ?? null;
  }

  /** CIDs someone currently offers. */
  cids(): string[] {
    return [...this.#holders.keys()].sort();
  }

  snapshotState(): Record<string, unknown> {
    return {
      holders: Object.fromEntries([...this.#holders].map(([c, s]) => [c, [...s].sort()])),
      blobs: Object.fromEntries(this.#blobs),
    };
  }

  restoreState(state: Record<string, unknown>): void {
    this.reset();
    const holders = (state.holders ?? {}) as Record<string, unknown>;
    for (const [cid, ids] of Object.entries(holders))
      if (Array.isArray(ids)) this.#holders.set(cid, new Set(ids.filter((i): i is string => typeof i === 'string')));
    const blobs = (state.blobs ?? {}) as Record<string, KnownBlob>;
    for (const [cid, b] of Object.entries(blobs)) this.#blobs.set(cid, b);
  }
}
