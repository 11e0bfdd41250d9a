/** X02 §3.6 of ../shared/spec/hearthnet-reference.md SyncClient: exact two-way reconciliation with one peer over a SyncChannel. */
import type { AuthorSummary } from './author-summary';
import { compareEvents } from './event-shape';
import type { EventLog } from './log';
import { sumDigests } from './digest';
import { bucketSummaries, bucketWidthFor, groupByBucket, type IdLamport } from './sync-buckets';
import {
  SYNC_BATCH_EVENTS,
  type BucketSummary,
  type HeadsReport,
  type SyncChannel,
  type SyncEventsReply,
  type SyncResult,
} from './sync-types';
import type { Event } from './types';
import { EventLogError } from './errors';

const sameSummary = (a?: AuthorSummary, b?: AuthorSummary) =>
  (a?.count ?? 0) === (b?.count ?? 0) && (a?.digest ?? '') === (b?.digest ?? '');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reconciliation, exact for sets (see docs/protocol/events.md):
 * 0. (digestFirst) send our whole-log digest; an equal one on the peer ends the round in one request;
 * 1. compare per-author {count, digest} from `heads()`; equal authors are done;
 * 2. for differing authors, compare per-Lamport-bucket {count, digest};
 * 3. for differing buckets, exchange (event_id, lamport) lists;
 * 4. pull what we lack and push what the peer lacks, in (lamport, event_id) order, in batches.
 */
export class SyncClient {
  constructor(
    private readonly log: EventLog,
    private readonly channel: SyncChannel,
    private readonly opts: { now?: () => number } = {},
  ) {}

  /** Send one new local event to the peer (the node calls this for each appendLocal). */
  async pushNew(event: Event): Promise<SyncEventsReply> {
    return this.channel.events({ events: [event] });
  }

  /**
   * `digestFirst`: open with `want.heads_unless` (one small request when the logs agree; falls back
   * to `GET heads` against a server that does not know it). Otherwise open with `GET heads`.
   */
  async syncWith(
    channel: SyncChannel = this.channel,
    opts: { digestFirst?: boolean } = {},
  ): Promise<SyncResult & { in_sync?: boolean }> {
    const now = this.opts.now ?? (() => performance.now());
    const started = now();
    let remote: HeadsReport;
    if (opts.digestFirst) {
      const ours = sumDigests(Object.values(this.log.authorSummaries()).map((s) => s.digest));
      const first = await channel.events({ want: { heads_unless: ours } });
      if (first.in_sync)
        return {
          sent_count: 0,
          received_count: 0,
          duration_ms: Math.round(now() - started),
          rejected_sent: [],
          rejected_received: [],
          in_sync: true,
        };
      remote = first.heads ?? (await channel.heads());
    } else {
      remote = await channel.heads();
    }
    if (remote.community_id !== this.log.communityId) {
      throw new EventLogError(
        'schema_unknown',
        `the peer serves community ${remote.community_id}, not ${this.log.communityId}; it cannot be synced with`,
      );
    }
    // Keyed by author: an author one side has not heard of is missing from the other's map.
    const local: Partial<Record<string, AuthorSummary>> = this.log.authorSummaries();
    const remoteAuthors: Partial<Record<string, AuthorSummary>> = remote.authors; // schema-checked (sync-replies.ts)
    const differing = [...new Set([...Object.keys(local), ...Object.keys(remoteAuthors)])].filter(
      (a) => !sameSummary(local[a], remoteAuthors[a]),
    );
    const result = {
      sent_count: 0,
      received_count: 0,
      duration_ms: 0,
      rejected_sent: [] as Array<{ event_id: string; code: string }>,
      rejected_received: [] as Array<{ event_id: string; code: string; message: string }>,
    };
    if (differing.length === 0) return { ...result, duration_ms: Math.round(now() - started) };

    let maxLamport = 0;
    for (const a of differing)
      maxLamport = Math.max(maxLamport, local[a]?.max_lamport ?? 0, remoteAuthors[a]?.max_lamport ?? 0);
    const width = bucketWidthFor(maxLamport);
    const bucketReply = await channel.events({ want: { buckets: { width, authors: differing } } });

    // Per author: which buckets differ, and our ids in them.
    const askIds: Record<string, number[]> = {};
    const localIdsInDiff = new Map<string, IdLamport>();
    for (const a of differing) {
      const mine = groupByBucket(this.log.authorEventIds(a), width);
      const mineSummary: Partial<Record<string, BucketSummary>> = bucketSummaries([...mine.values()].flat(), width);
      const theirs: Partial<Record<string, BucketSummary>> = bucketReply.buckets?.[a] ?? {};
      for (const key of new Set([...Object.keys(mineSummary), ...Object.keys(theirs)])) {
        const m = mineSummary[key];
        const t = theirs[key];
        if (m && t && m.count === t.count && m.digest === t.digest) continue;
        for (const r of mine.get(Number(key)) ?? []) localIdsInDiff.set(r.event_id, r);
        if (t) (askIds[a] ??= []).push(Number(key));
      }
    }

    const remoteIds = new Set<string>();
    const toPull: IdLamport[] = [];
    if (Object.keys(askIds).length) {
      const idReply = await channel.events({ want: { ids: { width, authors: askIds } } });
      for (const list of Object.values(idReply.ids ?? {})) {
        for (const [event_id, lamport] of list) {
          remoteIds.add(event_id);
          if (!localIdsInDiff.has(event_id)) toPull.push({ event_id, lamport });
        }
      }
    }
    const toPush = [...localIdsInDiff.values()].filter((r) => !remoteIds.has(r.event_id));

    toPull.sort(compareEvents);
    for (const chunk of chunks(toPull, SYNC_BATCH_EVENTS)) {
      const reply = await channel.events({ want: { event_ids: chunk.map((r) => r.event_id) } });
      const res = await this.log.appendReceivedBatchAsync(reply.events ?? []);
      result.received_count += res.accepted;
      result.rejected_received.push(...res.rejected);
    }
    toPush.sort(compareEvents);
    for (const chunk of chunks(toPush, SYNC_BATCH_EVENTS)) {
      const events = this.log.getMany(chunk.map((r) => r.event_id));
      const reply = await channel.events({ events });
      result.sent_count += reply.accepted;
      result.rejected_sent.push(...reply.rejected.map((r) => ({ event_id: r.event_id, code: r.code })));
    }
    return { ...result, duration_ms: Math.round(now() - started) };
  }

  /** Sync with several peers one after another; a failing peer does not stop the round. */
  async runRound(channels: readonly SyncChannel[]): Promise<Array<SyncResult | { error: unknown }>> {
    const out: Array<SyncResult | { error: unknown }> = [];
    for (const ch of channels) {
      try {
        out.push(await this.syncWith(ch));
      } catch (error) {
        out.push({ error });
      }
    }
    return out;
  }
}
