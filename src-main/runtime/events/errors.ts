/** X02 event log errors (reference §3.3 codes, plus what the log itself can hit); wire codes per §0.4. */
import { defineDomainError } from '../../common';

/**
 * The reference's six codes and `forbidden` (a community rule refused the event) are what a peer
 * may see for a refused event (sync's `rejected[].code`). The rest say what happened to the log
 * itself: `closed` (used after `close()`), `open_failed` (SQLite could not open the file),
 * `write_failed` (a transaction failed, e.g. the disk is full), `schema_too_new` (written by a
 * later release), `wrong_community` (a snapshot or peer of another community), `beyond_head` (a
 * snapshot asked past the log's head), `view_exists` / `view_unknown` (replay registration), `bad_reply` (a peer's sync reply does not
 * follow the protocol: sync-replies.ts names the field).
 */
export const EVENT_LOG_ERROR_CODES = [
  'invalid_signature',
  'out_of_order',
  'unknown_author',
  'revoked_author',
  'schema_unknown',
  'db_corrupt',
  'forbidden',
  'closed',
  'open_failed',
  'write_failed',
  'schema_too_new',
  'wrong_community',
  'beyond_head',
  'view_exists',
  'view_unknown',
  'bad_reply',
] as const;
export type EventLogErrorCode = (typeof EVENT_LOG_ERROR_CODES)[number];

/** Codes that are about the log's storage, not about one event: a batch stops on them. */
export const EVENT_LOG_STORAGE_CODES: ReadonlySet<EventLogErrorCode> = new Set([
  'db_corrupt',
  'closed',
  'open_failed',
  'write_failed',
  'schema_too_new',
]);

export const EventLogError = defineDomainError<EventLogErrorCode>('EventLogError', EVENT_LOG_ERROR_CODES, {
  invalid_signature: 'invalid_signature',
  unknown_author: 'forbidden',
  revoked_author: 'forbidden',
  schema_unknown: 'bad_request',
  out_of_order: 'bad_request',
  wrong_community: 'bad_request',
  beyond_head: 'bad_request',
  bad_reply: 'schema_mismatch',
});
export type EventLogError = InstanceType<typeof EventLogError>;
