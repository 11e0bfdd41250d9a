/** Structural checks of an event received from a peer, before any crypto is spent on it. */
import { EVENT_TYPES, isOneOf } from '../../common';
import { isFullNodeId } from '../identity';
import { EVENT_SCHEMA_VERSION, type Event } from './types';

const EVENT_KEYS = [
  'author',
  'community_id',
  'data',
  'event_id',
  'event_type',
  'lamport',
  'schema_version',
  'signature',
  'wall_clock',
];
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const WALL_CLOCK_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** Authors already parsed as valid node ids (a community has few; parsing is per event otherwise). */
const knownAuthors = new Set<string>();
const KNOWN_AUTHORS_MAX = 4096;

function isAuthorId(id: unknown): boolean {
  if (typeof id !== 'string') return false;
  if (knownAuthors.has(id)) return true;
  if (!isFullNodeId(id)) return false;
  if (knownAuthors.size >= KNOWN_AUTHORS_MAX) knownAuthors.clear();
  knownAuthors.add(id);
  return true;
}

/** Null when `value` has exactly the Event shape; otherwise why not (for a `schema_unknown` error). */
export function eventShapeProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'event is not an object';
  const e = value as Record<string, unknown>;
  const keys = Object.keys(e).sort();
  if (keys.length !== EVENT_KEYS.length || keys.some((k, i) => k !== EVENT_KEYS[i])) {
    return `event fields must be exactly ${EVENT_KEYS.join(', ')}; got ${keys.join(', ')}`;
  }
  if (e.schema_version !== EVENT_SCHEMA_VERSION)
    return `schema_version ${String(e.schema_version)} is not supported (this node speaks ${EVENT_SCHEMA_VERSION})`;
  if (!isOneOf(EVENT_TYPES, e.event_type))
    return `event_type "${String(e.event_type)}" is not one of the ${EVENT_TYPES.length} known types`;
  if (typeof e.event_id !== 'string' || !ULID_RE.test(e.event_id)) return 'event_id is not a ULID';
  if (typeof e.lamport !== 'number' || !Number.isSafeInteger(e.lamport) || e.lamport < 1)
    return 'lamport must be a positive integer';
  if (typeof e.wall_clock !== 'string' || !WALL_CLOCK_RE.test(e.wall_clock))
    return 'wall_clock must look like 2026-05-26T08:14:22Z';
  if (typeof e.community_id !== 'string') return 'community_id must be a string';
  if (!isAuthorId(e.author)) return 'author must be a full ed25519 node id';
  if (!e.data || typeof e.data !== 'object' || Array.isArray(e.data)) return 'data must be an object';
  if (typeof e.signature !== 'string') return 'signature must be a string';
  return null;
}

/** The edge check of a received event's envelope (its data is typed separately: event-data.ts). */
export function isEventShape(value: unknown): value is Event {
  return eventShapeProblem(value) === null;
}

/** Total order of the log: by Lamport value, ties broken by event_id (ULIDs are unique). */
export function compareEvents(
  a: { lamport: number; event_id: string },
  b: { lamport: number; event_id: string },
): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
