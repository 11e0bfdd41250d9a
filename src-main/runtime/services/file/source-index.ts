/** Who holds which blob: a MaterialisedView over file.cid.advertised / file.cid.unpinned (§20 of ../shared/spec/hearthnet-reference.md). */
import type { Event, MaterialisedView } from '../../events';
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
    if (event.event_type === 'file.cid.advertised') {
      const blobs = Array.isArray(event.data.blobs) ? (event.data.blobs as unknown[]) : [];
      for (const raw of blobs) {
        const b = raw as Partial<Record<keyof KnownBlob, unknown>> | null;
        if (!b || !isCid(b.cid)) continue;
        let set = this.#holders.get(b.cid);
        if (!set) this.#holders.set(b.cid, (set = new Set()));
        set.add(event.author);
        this.#blobs.set(b.cid, {
          cid: b.cid,
          size_bytes: typeof b.size_bytes === 'number' ? b.size_bytes : null,
          mime_type: typeof b.mime_type === 'string' ? b.mime_type : null,
          filename: typeof b.filename === 'string' ? b.filename : null,
        });
      }
    } else if (event.event_type === 'file.cid.unpinned') {
      const cids = Array.isArray(event.data.cids) ? (event.data.cids as unknown[]) : [];
      for (const cid of cids) {
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
