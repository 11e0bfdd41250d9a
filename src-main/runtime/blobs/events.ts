/** Data of the two M07 events (§20 of ../shared/spec/hearthnet-reference.md); the caller appends them to the community log. */
import type { Cid } from '../../common';

/** One blob a node says it can serve. */
export interface AdvertisedBlob {
  readonly cid: Cid;
  readonly size_bytes: number;
  readonly mime_type: string | null;
  readonly filename: string | null;
}

/** `file.cid.advertised` data: the author (the event's `author`) holds these blobs in full. */
export interface FileCidAdvertisedData {
  readonly blobs: readonly AdvertisedBlob[];
}

/** `file.cid.unpinned` data: the author no longer promises to keep these CIDs. */
export interface FileCidUnpinnedData {
  readonly cids: readonly Cid[];
}
