/**
 * What a peer answers to `GET /sync/v1/heads` and `POST /sync/v1/events` (docs/protocol/events.md),
 * described as TypeBox schemas and checked before the sync client reads a field of it. A peer is
 * not trusted to send well-formed JSON: a malformed reply becomes EventLogError('bad_reply')
 * naming the field (`authors.ed25519:….count: must be a whole number …`), never a crash deep in
 * reconciliation or a silently wrong comparison.
 *
 * The schemas allow fields they do not name (a newer peer may add some) and do not check the
 * events a reply carries: the log checks each event's envelope and signature when it stores it.
 */
import { Type } from '@sinclair/typebox';
import type { CommunityId } from '../../common';
import { compileSchema, parseWith, WholeNumber, type Check } from '../schema';
import { EventLogError } from './errors';
import type { HeadsReport, SyncChannel, SyncEventsBody, SyncEventsReply } from './sync-types';
import type { Event } from './types';

const open = { additionalProperties: true } as const;
const Count = () => WholeNumber(0, Number.MAX_SAFE_INTEGER);
const Digest = () => Type.String({ pattern: '^[0-9a-f]+$', description: 'must be a hex digest' });

const AuthorSummarySchema = Type.Object({ count: Count(), max_lamport: Count(), digest: Digest() }, open);
const BucketSummarySchema = Type.Object({ count: Count(), digest: Digest() }, open);

export const HeadsReportSchema = Type.Object(
  {
    sync_version: Count(),
    // Which community it is, the sync client compares with its own (a clearer refusal than a pattern's).
    community_id: Type.Unsafe<CommunityId>(Type.String()),
    heads_by_type: Type.Record(Type.String(), Count()),
    head: Count(),
    count: Count(),
    authors: Type.Record(Type.String(), AuthorSummarySchema),
    digest: Type.Optional(Digest()),
  },
  open,
);

export const SyncEventsReplySchema = Type.Object(
  {
    accepted: Count(),
    duplicates: Count(),
    rejected: Type.Array(Type.Object({ event_id: Type.String(), code: Type.String() }, open)),
    buckets: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), BucketSummarySchema))),
    ids: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Array(Type.Tuple([Type.String(), Count()]), { expected: 'a list of [event_id, lamport] pairs' }),
      ),
    ),
    // Each event is checked by the log as it is stored (shape, signature, author).
    events: Type.Optional(Type.Array(Type.Unsafe<Event>(Type.Object({}, open)))),
    in_sync: Type.Optional(Type.Boolean()),
    heads: Type.Optional(HeadsReportSchema),
  },
  open,
);

const checkHeads: Check<HeadsReport> = compileSchema(HeadsReportSchema);
const checkEventsReply: Check<SyncEventsReply> = compileSchema(SyncEventsReplySchema);

function badReply(peer: string, what: string) {
  return (message: string, field: string) =>
    new EventLogError('bad_reply', `${peer} sent a ${what} reply that does not follow the sync protocol: ${message}`, {
      details: { peer, field },
    });
}

/** A peer's `GET /sync/v1/heads` reply, checked; EventLogError('bad_reply') names the bad field. */
export function parseHeadsReport(value: unknown, peer: string): HeadsReport {
  return parseWith(checkHeads, value, badReply(peer, 'sync heads'));
}

/** A peer's `POST /sync/v1/events` reply, checked; EventLogError('bad_reply') names the bad field. */
export function parseSyncEventsReply(value: unknown, peer: string): SyncEventsReply {
  return parseWith(checkEventsReply, value, badReply(peer, 'sync events'));
}

/** The sync endpoints of one peer as the transport offers them: replies are JSON not yet checked. */
export interface PeerSyncEndpoints {
  heads(): Promise<unknown>;
  events(body: SyncEventsBody): Promise<unknown>;
}

/** A SyncChannel over a peer's endpoints whose every reply is checked before anyone reads it. */
export function checkedSyncChannel(endpoints: PeerSyncEndpoints, peer: string): SyncChannel {
  return {
    heads: async () => parseHeadsReport(await endpoints.heads(), peer),
    events: async (body) => parseSyncEventsReply(await endpoints.events(body), peer),
  };
}
