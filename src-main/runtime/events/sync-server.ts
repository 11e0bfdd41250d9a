/** X02 §3.6 of ../shared/spec/hearthnet-reference.md SyncServer: answers `GET /sync/v1/heads` and `POST /sync/v1/events` from the log. */
import { HearthError, type Unchecked } from '../../common';
import { sumDigests } from './digest';
import type { EventLog } from './log';
import { bucketSummaries, groupByBucket } from './sync-buckets';
import {
  SYNC_BATCH_EVENTS,
  SYNC_PROTOCOL_VERSION,
  type HeadsReport,
  type SyncEventsBody,
  type SyncEventsReply,
  type SyncWant,
} from './sync-types';
import type { Event } from './types';

export interface SyncServerOptions {
  /**
   * Called after a push (a body with `events` and no `want`) stored events this log did not hold
   * before, with the caller's node id when the transport knows it: the node relays them (gossip).
   */
  readonly onFreshPush?: (events: Event[], from: string | undefined) => void;
}

/** The whole-log set digest of a log: what a cheap sync round compares first. */
export function logDigest(log: EventLog): string {
  return sumDigests(Object.values(log.authorSummaries()).map((s) => s.digest));
}

/** Transport-agnostic: the HTTP layer passes parsed JSON in and serialises the reply out. */
export class SyncServer {
  constructor(
    private readonly log: EventLog,
    private readonly opts: SyncServerOptions = {},
  ) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- async: a closed log rejects, as the HTTP handler expects
  async serveHeads(): Promise<HeadsReport> {
    const authors = this.log.authorSummaries();
    let count = 0;
    for (const s of Object.values(authors)) count += s.count;
    return {
      sync_version: SYNC_PROTOCOL_VERSION,
      community_id: this.log.communityId,
      heads_by_type: this.log.headsByType(),
      head: this.log.head(),
      count,
      authors,
      digest: sumDigests(Object.values(authors).map((s) => s.digest)),
    };
  }

  /**
   * Store pushed `events` (one transaction; bad events rejected alone), then answer `want`.
   * Throws HearthError `bad_request` for a malformed body and `payload_too_large` past the batch limit.
   */
  async serveEvents(input: unknown, from?: string): Promise<SyncEventsReply> {
    if (!input || typeof input !== 'object') throw new HearthError('bad_request', 'sync body must be a JSON object');
    const body = input as Unchecked<SyncEventsBody>; // a peer's body: every field is checked below
    const events = body.events ?? [];
    if (!Array.isArray(events)) throw new HearthError('bad_request', '"events" must be an array');
    if (events.length > SYNC_BATCH_EVENTS)
      throw new HearthError(
        'payload_too_large',
        `at most ${SYNC_BATCH_EVENTS} events per request, got ${events.length}`,
      );
    const { onFreshPush } = this.opts;
    const unseen =
      events.length > 0 && !body.want && onFreshPush
        ? (events as Array<Unchecked<Event> | null>).filter(
            (e): e is Event => typeof e?.event_id === 'string' && this.log.getSignedJson(e.event_id) === null,
          )
        : [];
    const batch = events.length
      ? await this.log.appendReceivedBatchAsync(events as Event[])
      : { accepted: 0, duplicates: 0, rejected: [] };
    if (batch.accepted > 0 && unseen.length) {
      // Stored now and not before: this node is hearing of them first (another push may race us; a
      // duplicate relay costs one small request, no correctness).
      const fresh = unseen.filter((e) => this.log.getSignedJson(e.event_id) !== null);
      if (fresh.length) onFreshPush?.(fresh, from);
    }
    const reply: {
      accepted: number;
      duplicates: number;
      rejected: Array<{ event_id: string; code: string }>;
      buckets?: SyncEventsReply['buckets'];
      ids?: SyncEventsReply['ids'];
      events?: Event[];
      in_sync?: boolean;
      heads?: SyncEventsReply['heads'];
    } = {
      accepted: batch.accepted,
      duplicates: batch.duplicates,
      rejected: batch.rejected.map((r) => ({ event_id: r.event_id, code: r.code })),
    };
    if (!body.want) return reply;
    if (typeof body.want !== 'object') throw new HearthError('bad_request', '"want" must be an object');
    const want = body.want as UncheckedWant;
    if (want.heads_unless !== undefined) {
      if (typeof want.heads_unless !== 'string')
        throw new HearthError('bad_request', 'want.heads_unless must be a digest string');
      const heads = await this.serveHeads();
      if (heads.digest === want.heads_unless) reply.in_sync = true;
      else reply.heads = heads;
    }
    if (want.buckets) {
      const width = checkWidth(want.buckets.width);
      if (!Array.isArray(want.buckets.authors))
        throw new HearthError('bad_request', 'want.buckets.authors must be an array');
      reply.buckets = {};
      for (const a of want.buckets.authors)
        reply.buckets[String(a)] = bucketSummaries(this.log.authorEventIds(String(a)), width);
    }
    if (want.ids) {
      const width = checkWidth(want.ids.width);
      if (!want.ids.authors || typeof want.ids.authors !== 'object')
        throw new HearthError('bad_request', 'want.ids.authors must be an object');
      reply.ids = {};
      for (const [a, wanted] of Object.entries(want.ids.authors)) {
        if (!Array.isArray(wanted))
          throw new HearthError('bad_request', `want.ids.authors["${a}"] must be an array of bucket indexes`);
        const buckets = groupByBucket(this.log.authorEventIds(a), width);
        const out: Array<[string, number]> = [];
        for (const b of wanted) for (const r of buckets.get(Number(b)) ?? []) out.push([r.event_id, r.lamport]);
        reply.ids[a] = out;
      }
    }
    if (want.event_ids) {
      if (!Array.isArray(want.event_ids) || want.event_ids.some((id) => typeof id !== 'string'))
        throw new HearthError('bad_request', 'want.event_ids must be an array of strings');
      if (want.event_ids.length > SYNC_BATCH_EVENTS)
        throw new HearthError('payload_too_large', `at most ${SYNC_BATCH_EVENTS} event ids per request`);
      reply.events = this.log.getMany(want.event_ids);
    }
    return reply;
  }
}

/** `want` as a peer sent it: each part is checked before use. */
interface UncheckedWant {
  readonly heads_unless?: unknown;
  readonly buckets?: Unchecked<NonNullable<SyncWant['buckets']>> | null;
  readonly ids?: Unchecked<NonNullable<SyncWant['ids']>> | null;
  readonly event_ids?: unknown;
}

function checkWidth(width: unknown): number {
  if (typeof width !== 'number' || !Number.isSafeInteger(width) || width < 1)
    throw new HearthError('bad_request', 'bucket width must be a positive integer');
  return width;
}
