/**
 * The community-scoped state of a node: its event log, the membership view that guards it, and
 * the replay engine that keeps every view in step. Opened once the node belongs to a community.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommunityId, EventType } from '../../common';
import { EventLog, ReplayEngine, type Event } from '../events';
import { CommunityStateView } from '../identity';
import type { Logger } from '../observability';

export const COMMUNITY_EVENT_TYPES: readonly EventType[] = [
  'community.created',
  'community.member.invited',
  'community.member.joined',
  'community.member.revoked',
  'community.member.promoted',
  'community.member.demoted',
  'community.policy.updated',
];

export interface CommunityContext {
  /** Checked once here (CommunityStateView refuses a string that is not a full node id). */
  readonly communityId: CommunityId;
  readonly log: EventLog;
  readonly state: CommunityStateView;
  readonly replay: ReplayEngine;
  close(): void;
}

export interface OpenCommunityOptions {
  readonly dbPath: string;
  readonly communityId: string;
  readonly now?: () => Date;
  /** Told about community events the membership rules refuse (for the log). */
  readonly onRejected?: (event: Event, reason: string) => void;
  /** Where a failing listener or view is reported (default: the process-wide logger). */
  readonly log?: Logger;
}

/** Open the log, rebuild membership from it, and guard every later append with the rules. */
export function openCommunity(opts: OpenCommunityOptions): CommunityContext {
  mkdirSync(dirname(opts.dbPath), { recursive: true, mode: 0o700 });
  const state = new CommunityStateView({
    communityId: opts.communityId,
    now: opts.now,
    onRejected: (event, verdict) => opts.onRejected?.(event, verdict.reason),
  });
  const log = EventLog.open({
    dbPath: opts.dbPath,
    communityId: opts.communityId,
    membership: state,
    validate: (event) => (COMMUNITY_EVENT_TYPES.includes(event.event_type) ? state.validate(event) : { ok: true }),
    now: opts.now,
    log: opts.log,
  });
  const replay = new ReplayEngine(log, { log: opts.log });
  replay.register('community', state, COMMUNITY_EVENT_TYPES);
  replay.rebuild('community');
  return {
    communityId: state.communityId,
    log,
    state,
    replay,
    close: () => log.close(),
  };
}
