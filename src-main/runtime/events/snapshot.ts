/** X02 §3.5 of ../shared/spec/hearthnet-reference.md: signed snapshots of materialised views, so a restart does not replay the whole log. */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { errorMessage } from '../../common/error-message';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, toWallClock, type CommunityId, type NodeId, type WallClock } from '../../common';
import { signPayload, verifyPayload, type KeyPair } from '../identity';
import type { EventLog } from './log';
import type { ReplayEngine } from './replay';
import { EventLogError } from './errors';

export const SNAPSHOT_SCHEMA_VERSION = 1;
/** Snapshots kept by `prune` when no count is given. */
export const SNAPSHOT_KEEP_DEFAULT = 7;

/**
 * A signed snapshot. Reference fields plus two of ours: `signer` (full node id whose key signed
 * it: the snapshot must say who to verify against) and `covers_seq` (local insertion sequence at
 * build time: events that arrived later with a lower Lamport value are replayed on restore).
 * `lamport` is the log's clock when built; `covers_events_up_to` the Lamport value whose events
 * (and all below) are folded into `state`. `state` is `{ views: { <view name>: <snapshotState()> } }`.
 */
export interface Snapshot {
  readonly schema_version: number;
  readonly community_id: CommunityId;
  readonly lamport: number;
  readonly wall_clock: WallClock;
  readonly state: { views: Record<string, Record<string, unknown>> };
  readonly covers_events_up_to: number;
  readonly covers_seq: number;
  readonly signer: NodeId;
  readonly signature: string;
}

/** Build and sign a snapshot of every registered view, as of `atLamport` (default: the head). */
export function buildSnapshot(
  log: EventLog,
  engine: ReplayEngine,
  signingKp: KeyPair,
  atLamport?: number,
  now: () => Date = () => new Date(),
): Snapshot {
  const head = log.head();
  const at = atLamport ?? head;
  if (!Number.isSafeInteger(at) || at < 0 || at > head) {
    throw new EventLogError('beyond_head', `cannot snapshot at lamport ${at}: the log head is ${head}`);
  }
  const views: Record<string, Record<string, unknown>> = {};
  for (const name of engine.viewNames()) {
    if (at === head) {
      views[name] = engine.view(name).snapshotState();
    } else {
      // Views only hold "now": fold the log up to `at`, capture, then catch up again.
      engine.view(name).reset();
      for (const e of log.replay({ untilLamport: at })) engine.applyToView(name, e);
      views[name] = engine.view(name).snapshotState();
      for (const e of log.replay({ sinceLamport: at })) engine.applyToView(name, e);
    }
  }
  const unsigned = {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    community_id: log.communityId,
    lamport: log.lamport,
    wall_clock: toWallClock(now()),
    state: { views },
    covers_events_up_to: at,
    covers_seq: log.seqHead(),
    signer: signingKp.nodeIdFull,
  };
  return signPayload(unsigned, signingKp);
}

/** What a restore did. */
export interface RestoreResult {
  readonly restored_views: string[];
  /** Views absent from the snapshot, rebuilt from the whole log instead. */
  readonly rebuilt_views: string[];
  /** Events applied on top of the snapshot. */
  readonly replayed: number;
}

/**
 * Verify the snapshot (signature first, then community), restore each view's state, then apply
 * the events after it: lamport > covers_events_up_to, or inserted after covers_seq.
 */
export function restoreFromSnapshot(
  input: unknown,
  engine: ReplayEngine,
  log: EventLog,
  opts: { trustedSigners?: readonly string[] } = {},
): RestoreResult {
  const snap = signedSnapshot(input);
  if (opts.trustedSigners && !opts.trustedSigners.includes(snap.signer)) {
    throw new EventLogError(
      'invalid_signature',
      `the snapshot was signed by ${snap.signer}, which is not trusted here`,
    );
  }
  if (snap.schema_version !== SNAPSHOT_SCHEMA_VERSION)
    throw new EventLogError('schema_unknown', `snapshot schema ${snap.schema_version} is not supported`);
  if (snap.community_id !== log.communityId)
    throw new EventLogError(
      'wrong_community',
      `the snapshot is of community ${snap.community_id}, not ${log.communityId}`,
    );
  const restored: string[] = [];
  const rebuilt: string[] = [];
  const views = savedViews(snap);
  for (const name of engine.viewNames()) {
    const state = views[name];
    if (state) {
      engine.view(name).reset();
      engine.view(name).restoreState(structuredClone(state));
      restored.push(name);
    } else {
      engine.rebuild(name, 0);
      rebuilt.push(name);
    }
  }
  let replayed = 0;
  for (const e of log.replay({ sinceLamport: snap.covers_events_up_to, insertedAfterSeq: snap.covers_seq })) {
    for (const name of restored) engine.applyToView(name, e);
    replayed += 1;
  }
  return { restored_views: restored, rebuilt_views: rebuilt, replayed };
}

/** A snapshot read from disk or a peer, once its signature checks out (which says who wrote it, not that it is well formed). */
function signedSnapshot(v: unknown): Snapshot {
  const signer: unknown = typeof v === 'object' && v !== null ? (v as { signer?: unknown }).signer : undefined;
  if (typeof signer !== 'string' || !verifyPayload(v, signer)) {
    throw new EventLogError(
      'invalid_signature',
      'the snapshot is not correctly signed; delete it and the views will be rebuilt from the log',
    );
  }
  return v as Snapshot;
}

/** Each view's saved state; a view missing here is rebuilt from the log. */
function savedViews(snap: Snapshot): Partial<Record<string, Record<string, unknown>>> {
  const views: unknown = (snap.state as { views?: unknown } | undefined)?.views;
  return typeof views === 'object' && views !== null ? views : {};
}

const FILE_RE = /^snapshot-(\d{15})\.json$/;
const fileOf = (covers: number) => `snapshot-${String(covers).padStart(15, '0')}.json`;

/** Snapshot files in one folder: `snapshot-<covers_events_up_to, 15 digits>.json`. */
export class SnapshotStore {
  constructor(
    readonly dirPath: string,
    readonly communityId: string,
    /** `log`: where an unreadable snapshot (skipped) is reported; default: the process-wide logger. */
    private readonly opts: { log?: Logger } = {},
  ) {
    mkdirSync(dirPath, { recursive: true });
  }

  /** `covers_events_up_to` of every stored snapshot, ascending. */
  list(): number[] {
    return readdirSync(this.dirPath)
      .map((f) => FILE_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** The newest readable snapshot of this community; unreadable files are reported and skipped. */
  latest(): Snapshot | null {
    for (const covers of this.list().reverse()) {
      const file = join(this.dirPath, fileOf(covers));
      try {
        const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
        if (snap.community_id !== this.communityId)
          throw new Error(`snapshot of another community (${snap.community_id})`);
        return snap;
      } catch (err) {
        (this.opts.log ?? getLogger('events')).warn('skipping an unreadable snapshot', {
          file,
          error: errorMessage(err),
        });
      }
    }
    return null;
  }

  /** Atomic: write a temp file, fsync it, rename over the final name, fsync the folder. */
  write(snap: Snapshot): void {
    if (snap.community_id !== this.communityId)
      throw new EventLogError(
        'wrong_community',
        `snapshot of community ${snap.community_id} does not belong in the store of ${this.communityId}`,
      );
    const final = join(this.dirPath, fileOf(snap.covers_events_up_to));
    const tmp = `${final}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, canonicalJson(snap));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, final);
    if (process.platform !== 'win32') {
      const dfd = openSync(this.dirPath, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    }
  }

  /** Delete all but the newest `keepLastN` snapshots (and stale temp files). */
  prune(keepLastN = SNAPSHOT_KEEP_DEFAULT): void {
    const all = this.list();
    for (const covers of all.slice(0, Math.max(0, all.length - Math.max(0, keepLastN))))
      unlinkSync(join(this.dirPath, fileOf(covers)));
    for (const f of readdirSync(this.dirPath))
      if (f.endsWith('.tmp') && f.startsWith('snapshot-')) unlinkSync(join(this.dirPath, f));
  }
}
