/**
 * Whether a received event may enter the log: the checks of docs/protocol/events.md ("Acceptance
 * of a received event"), in that order. Pure over the context it is given; the log stores.
 */
import type { CommunityId } from '../../common';
import type { verifyBytes } from '../identity';
import { EventLogError, type EventLogErrorCode } from './errors';
import { eventShapeProblem, isEventShape } from './event-shape';
import { idOf, unsignedJsonOf } from './signed-json';
import type { Event, MembershipOracle } from './types';
import { verifyBytesAsync } from './verify-async';

/** Result of the optional `validate` hook (e.g. per-type data schemas, invite quorum rules). */
export type ValidateResult = { ok: true } | { ok: false; code: EventLogErrorCode; reason: string };

/** A received event's unsigned JSON and whether its signature verified, computed ahead (off-thread). */
export interface Prechecked {
  readonly restJson: string;
  signatureOk: boolean;
}

export interface AcceptanceContext {
  readonly communityId: CommunityId;
  /** Live view of membership; without one every correctly signed author is accepted. */
  readonly membership?: MembershipOracle;
  /** Extra checks run after signature and membership. */
  readonly validate?: (event: Event) => ValidateResult;
  readonly verify: typeof verifyBytes;
  /** Whether the log already holds this event id. */
  isStored(eventId: string): boolean;
}

/** Run the `validate` hook; throws its refusal as an EventLogError. */
export function runValidate(ctx: Pick<AcceptanceContext, 'validate'>, event: Event): void {
  const v = ctx.validate?.(event);
  if (v && !v.ok) throw new EventLogError(v.code, v.reason, { details: { event_id: event.event_id } });
}

/**
 * Check one received event. Returns the canonical JSON of its unsigned part when it is new and
 * acceptable, null for a duplicate; throws EventLogError for a refusal (nothing is changed).
 * `pre` carries a signature already verified off-thread.
 */
export function checkReceived(
  ctx: AcceptanceContext,
  event: Event,
  opts: { shapeChecked?: boolean; pre?: Prechecked } = {},
): string | null {
  const problem = opts.shapeChecked ? null : eventShapeProblem(event);
  if (problem) throw new EventLogError('schema_unknown', problem, { details: { event_id: idOf(event) } });
  if (event.community_id !== ctx.communityId) {
    throw new EventLogError(
      'schema_unknown',
      `event ${event.event_id} belongs to community ${event.community_id}, not this one (${ctx.communityId})`,
      { details: { event_id: event.event_id, reason: 'community_mismatch' } },
    );
  }
  if (ctx.isStored(event.event_id)) return null;
  const restJson = opts.pre?.restJson ?? unsignedJsonOf(event);
  if (restJson === null) {
    throw new EventLogError(
      'schema_unknown',
      `event ${event.event_id} holds a value JSON cannot carry exactly (e.g. a number out of range)`,
      { details: { event_id: event.event_id } },
    );
  }
  const signatureOk = opts.pre
    ? opts.pre.signatureOk
    : ctx.verify(event.author, Buffer.from(restJson, 'utf8'), event.signature);
  if (!signatureOk) {
    throw new EventLogError(
      'invalid_signature',
      `event ${event.event_id} is not correctly signed by its author ${event.author}`,
      { details: { event_id: event.event_id } },
    );
  }
  checkAuthor(ctx, event);
  runValidate(ctx, event);
  return restJson;
}

/** The author must be a member and not revoked, except the root's own `community.created` (bootstrap). */
function checkAuthor(ctx: AcceptanceContext, event: Event): void {
  const m = ctx.membership;
  const bootstrap = event.event_type === 'community.created' && (event.author as string) === ctx.communityId;
  if (!m || bootstrap) return;
  if (m.isRevoked(event.author)) {
    throw new EventLogError(
      'revoked_author',
      `event ${event.event_id} is by ${event.author}, whose membership was revoked`,
      { details: { event_id: event.event_id } },
    );
  }
  if (!m.isMember(event.author)) {
    throw new EventLogError(
      'unknown_author',
      `event ${event.event_id} is by ${event.author}, who is not a member of this community`,
      { details: { event_id: event.event_id } },
    );
  }
}

/**
 * Verify the signatures of a batch in parallel on libuv's thread pool (node:crypto's async
 * verify). Events that will be refused or skipped before their signature is looked at get no entry.
 */
export async function preverify(
  ctx: Pick<AcceptanceContext, 'communityId' | 'isStored'>,
  events: readonly unknown[],
): Promise<Map<Event, Prechecked>> {
  const pre = new Map<Event, Prechecked>();
  const jobs: Promise<void>[] = [];
  for (const e of events) {
    if (!isEventShape(e) || e.community_id !== ctx.communityId || ctx.isStored(e.event_id)) continue;
    const restJson = unsignedJsonOf(e);
    if (restJson === null) continue;
    const entry: Prechecked = { restJson, signatureOk: false };
    pre.set(e, entry);
    jobs.push(
      verifyBytesAsync(e.author, Buffer.from(restJson, 'utf8'), e.signature).then(
        (ok) => void (entry.signatureOk = ok),
      ),
    );
  }
  await Promise.all(jobs);
  return pre;
}
