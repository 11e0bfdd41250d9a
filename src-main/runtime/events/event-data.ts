/**
 * The `data` of each of the 19 event types, described once as a TypeBox schema: its TypeScript
 * type (`EventData<'market.post.created'>`) and its run-time check come from the same place.
 *
 * The log checks an event's envelope and signature, not its data (a view skips data it cannot
 * use: docs/protocol/events.md). So an event out of the log is an `Event` with unchecked data;
 * `typedEvent` is the edge where its data is checked against these schemas and the event becomes
 * a `TypedEvent`, whose `data` narrows with `event_type`. Each schema asks for exactly what the
 * consumers of that type relied on before (required fields, their JSON types) and allows extra
 * fields, so no event a view used to apply is now skipped; the views' own rules (title length,
 * co-signatures, ...) stay where they are.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CATEGORIES, type EventType } from '../../common';
import { compileSchema, OneOf, type Check } from '../schema';
import type { Event } from './types';

const open = { additionalProperties: true } as const;
const Str = () => Type.String();
/** Any JSON value: consumers check it themselves (co-signature lists, manifests, sealed envelopes). */
const Any = () => Type.Optional(Type.Unknown());
const NodeIdText = () => Type.String({ description: 'full node id' });

/** The member levels an invitation, promotion or demotion may name. */
const Level = () => Type.String();

/** One schema per event type (reference §20 lists producers and consumers). */
export const EVENT_DATA_SCHEMAS = {
  'community.created': Type.Object({ root: NodeIdText(), name: Str(), policy: Any() }, open),
  'community.member.invited': Type.Object(
    { invitee: NodeIdText(), inviter: NodeIdText(), level: Level(), expires_at: Str(), signatures: Any() },
    open,
  ),
  'community.member.joined': Type.Object({ node_id: NodeIdText(), display_name: Str() }, open),
  'community.member.revoked': Type.Object({ node_id: NodeIdText(), reason: Any(), signatures: Any() }, open),
  'community.member.promoted': Type.Object({ node_id: NodeIdText(), level: Level(), signatures: Any() }, open),
  'community.member.demoted': Type.Object({ node_id: NodeIdText(), level: Level(), signatures: Any() }, open),
  'community.policy.updated': Type.Object({ policy: Any() }, open),
  /** The signed node manifest; its reader (identity's parseNodeManifest) checks the rest. */
  'node.manifest.updated': Type.Object({ manifest: Type.Object({}, open) }, open),
  /** The marketplace view applies its own limits (validate.ts) on top of these types. */
  'market.post.created': Type.Object(
    {
      category: OneOf(CATEGORIES),
      title: Str(),
      body: Any(),
      tags: Type.Optional(Type.Array(Str())),
      location: Any(),
      expires_at: Str(),
    },
    open,
  ),
  'market.post.updated': Type.Object({ post_id: Str() }, open),
  /** `reason` is checked by the view once the post is known (until then the event waits). */
  'market.post.expired': Type.Object({ post_id: Str(), reason: Any() }, open),
  'chat.message.sent': Type.Object({ msg_id: Str(), recipient: NodeIdText(), sealed: Any() }, open),
  'chat.message.delivered': Type.Object({ msg_id: Str() }, open),
  'chat.message.read': Type.Object({ msg_id: Str() }, open),
  /** Entries are read one by one (a malformed one is skipped, the rest used). */
  'file.cid.advertised': Type.Object({ blobs: Type.Array(Type.Unknown()) }, open),
  'file.cid.unpinned': Type.Object({ cids: Type.Array(Type.Unknown()) }, open),
  'rag.document.ingested': Type.Object({ doc_cid: Str(), corpus: Str() }, open),
  'federation.peer.added': Type.Object({}, open),
  'federation.peer.removed': Type.Object({}, open),
} as const satisfies Record<EventType, TSchema>;

/** The data of each event type, as checked by its schema. */
export type EventDataMap = { readonly [K in EventType]: Static<(typeof EVENT_DATA_SCHEMAS)[K]> };
export type EventData<T extends EventType> = EventDataMap[T];

/** An event whose data passed its type's schema: `switch (e.event_type)` narrows `e.data`. */
export type TypedEvent<T extends EventType = EventType> = {
  [K in T]: Omit<Event, 'event_type' | 'data'> & { readonly event_type: K; readonly data: EventDataMap[K] };
}[T];

const checks = new Map<EventType, Check<unknown>>();
function checkOf(type: EventType): Check<unknown> {
  let c = checks.get(type);
  if (!c) checks.set(type, (c = compileSchema(EVENT_DATA_SCHEMAS[type])));
  return c;
}

/** Null when `data` fits `type`'s schema; otherwise the first problem, for a log line. */
export function eventDataProblem(type: EventType, data: unknown): string | null {
  const check = checkOf(type);
  if (check(data)) return null;
  const e = check.errors?.[0];
  return e ? `data${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is not valid'}` : 'data is not valid';
}

/**
 * The edge between the log and its consumers: true when `event`'s data fits its type's schema
 * (and its type is one of `types`, when given); then `event.data` narrows with `event.event_type`.
 */
export function isTypedEvent<T extends EventType = EventType>(
  event: Event,
  types?: readonly T[],
): event is Event & TypedEvent<T> {
  if (types && !(types as readonly EventType[]).includes(event.event_type)) return false;
  return checkOf(event.event_type)(event.data);
}
