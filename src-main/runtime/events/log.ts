/** X02 §3.3 of ../shared/spec/hearthnet-reference.md: the signed, Lamport-ordered event log of one community, on SQLite (better-sqlite3). */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { errorMessage } from '../../common/error-message';
import Database from 'better-sqlite3';
import { monotonicFactory } from 'ulidx';
import { EVENT_TYPES, isOneOf, toWallClock, type CommunityId, type EventId, type EventType } from '../../common';
import { verifyBytes, verifyBytesNoble, type KeyPair } from '../identity';
import {
  checkReceived,
  preverify,
  runValidate,
  type AcceptanceContext,
  type Prechecked,
  type ValidateResult,
} from './acceptance';
import { AuthorSummaries, type AuthorSummary } from './author-summary';
import { compareEvents, eventShapeProblem, isEventShape } from './event-shape';
import { LamportClock } from './lamport';
import { LogStatements, type ReplayOptions } from './log-store';
import { migrate } from './schema';
import { idOf, signEvent, withSignature } from './signed-json';
import { Subscriber } from './subscriber';
import { EVENT_SCHEMA_VERSION, type Event, type MembershipOracle } from './types';
import { EVENT_LOG_STORAGE_CODES, EventLogError, type EventLogErrorCode } from './errors';

export type { ValidateResult } from './acceptance';
export { withSignature } from './signed-json';

export interface EventLogOptions {
  readonly dbPath: string;
  readonly communityId: string;
  /** Live view of membership; without one every correctly signed author is accepted. */
  readonly membership?: MembershipOracle;
  /** Extra checks run on local and received events after signature and membership. */
  readonly validate?: (event: Event) => ValidateResult;
  /** Signature verifier for received events: node:crypto (default, fastest) or @noble/curves. */
  readonly verifier?: 'node' | 'noble';
  /** Clock for `wall_clock` and ULIDs (tests inject one). */
  readonly now?: () => Date;
  /** Where a throwing onAppend listener is reported (default: the process-wide logger). The event stays stored. */
  readonly log?: Logger;
}

/** Outcome of `appendReceivedBatch`: every input event is counted exactly once. */
export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ event_id: string; code: EventLogErrorCode; message: string }>;
}

export type AppendListener = (event: Event) => void;

/**
 * The event log. Order is total: (lamport, event_id). Every event is stored with its canonical
 * signed JSON, so serving it to a peer needs no re-encoding. Synchronous listeners (`onAppend`)
 * run inside the insert's transaction, before the next event of a batch is checked, so a view that
 * implements the MembershipOracle is up to date when the next author is checked. They must not
 * write to the log. Async subscribers receive events after commit.
 */
export class EventLog {
  readonly communityId: CommunityId;
  private readonly db: Database.Database;
  private readonly stmts: LogStatements;
  private readonly clock: LamportClock;
  private readonly summaries: AuthorSummaries;
  private readonly listeners = new Set<AppendListener>();
  private readonly rollbackListeners = new Set<(undone: readonly Event[]) => void>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly nextUlid = monotonicFactory();
  private readonly acceptance: AcceptanceContext;
  private pending: Event[] = [];
  private closed = false;

  private constructor(private readonly opts: EventLogOptions) {
    this.communityId = opts.communityId as CommunityId;
    try {
      this.db = new Database(opts.dbPath);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db, opts.communityId);
    } catch (err) {
      if (err instanceof EventLogError) throw err;
      throw new EventLogError('open_failed', `cannot open the event log at ${opts.dbPath}: ${(err as Error).message}`, {
        cause: err,
        details: { path: opts.dbPath },
      });
    }
    this.stmts = new LogStatements(this.db);
    this.clock = new LamportClock(this.db, opts.communityId, { writeThrough: false });
    this.summaries = new AuthorSummaries(this.db);
    this.acceptance = {
      communityId: this.communityId,
      membership: opts.membership,
      validate: opts.validate,
      verify: opts.verifier === 'noble' ? verifyBytesNoble : verifyBytes,
      isStored: (id) => this.stmts.exists.get(id) !== undefined,
    };
  }

  /** Open (creating if needed) the log database and apply pending schema migrations. */
  static open(opts: EventLogOptions): EventLog {
    return new EventLog(opts);
  }

  /** Current Lamport clock value (≥ head()). */
  get lamport(): number {
    return this.clock.current;
  }

  /** Mint, sign, persist and fan out a new event authored by `authorKp`. */
  appendLocal(eventType: EventType, data: Record<string, unknown>, authorKp: KeyPair): Event {
    this.assertOpen();
    if (!isOneOf(EVENT_TYPES, eventType))
      throw new EventLogError('schema_unknown', `"${String(eventType)}" is not a known event type`);
    if (typeof data !== 'object' || Array.isArray(data))
      throw new EventLogError('schema_unknown', 'event data must be an object');
    const event = this.transact(() => {
      const now = (this.opts.now ?? (() => new Date()))();
      const { event: signed, json } = signEvent(
        {
          schema_version: EVENT_SCHEMA_VERSION,
          event_id: this.nextUlid(now.getTime()) as EventId,
          lamport: this.clock.tickForSend(),
          wall_clock: toWallClock(now),
          community_id: this.communityId,
          author: authorKp.nodeIdFull,
          event_type: eventType,
          data,
        },
        authorKp,
      );
      runValidate(this.acceptance, signed);
      this.insert(signed, json);
      return signed;
    });
    this.flush();
    return event;
  }

  /**
   * Verify and store an event from a peer. Returns true when new, false for a duplicate.
   * Throws EventLogError (schema_unknown, invalid_signature, unknown_author, revoked_author, or the
   * validate hook's code) and then nothing was changed.
   */
  appendReceived(event: unknown): boolean {
    this.assertOpen();
    if (!isEventShape(event)) {
      throw new EventLogError('schema_unknown', eventShapeProblem(event) ?? 'not an event', {
        details: { event_id: idOf(event) },
      });
    }
    const isNew = this.transact(() => this.receiveOne(event, true));
    this.flush();
    return isNew;
  }

  /**
   * The sync hot path: one transaction, events taken in (lamport, event_id) order. An invalid
   * event is rejected alone (reported with its code); the rest land.
   */
  appendReceivedBatch(events: readonly unknown[]): BatchResult {
    this.assertOpen();
    return this.storeBatch(events, new Map());
  }

  /**
   * Same contract as appendReceivedBatch, but signatures are first verified in parallel on libuv's
   * thread pool (node:crypto's async verify), then the batch is stored in one transaction. This is
   * what SyncServer and SyncClient use. With the `noble` verifier it is appendReceivedBatch.
   */
  async appendReceivedBatchAsync(events: readonly unknown[]): Promise<BatchResult> {
    this.assertOpen();
    if (this.opts.verifier === 'noble') return this.storeBatch(events, new Map());
    const pre = await preverify(this.acceptance, events);
    this.assertOpen();
    return this.storeBatch(events, pre);
  }

  /** Highest Lamport value stored (0 when empty). */
  head(): number {
    return this.stmts.head.get()?.h ?? 0;
  }

  count(): number {
    let n = 0;
    for (const s of Object.values(this.summaries.all())) n += s.count;
    return n;
  }

  get(eventId: string): Event | null {
    const row = this.stmts.get.get(eventId);
    return row ? (JSON.parse(row.signed_json) as Event) : null;
  }

  /** The exact canonical signed JSON stored for an event (what a peer is served). */
  getSignedJson(eventId: string): string | null {
    return this.stmts.get.get(eventId)?.signed_json ?? null;
  }

  /** The events among `eventIds` that this log holds, in (lamport, event_id) order. */
  getMany(eventIds: readonly string[]): Event[] {
    return this.stmts.getMany.all(JSON.stringify(eventIds)).map((r) => JSON.parse(r.signed_json) as Event);
  }

  /** Events in the total order (lamport, event_id), filtered. Paged: safe to write while iterating. */
  replay(opts: ReplayOptions = {}): Generator<Event> {
    this.assertOpen();
    return this.stmts.replay(opts);
  }

  /** Highest Lamport value per event type present in the log. */
  headsByType(): Partial<Record<EventType, number>> {
    const out: Partial<Record<EventType, number>> = {};
    for (const r of this.stmts.headsByType.all()) out[r.event_type as EventType] = r.h;
    return out;
  }

  /** Per-author {count, max_lamport, digest}: the exact fingerprint sync compares. */
  authorSummaries(): Record<string, AuthorSummary> {
    return this.summaries.all();
  }

  /** All (event_id, lamport) of one author, in log order. */
  authorEventIds(author: string): Array<{ event_id: string; lamport: number }> {
    return this.stmts.authorIds.all(author);
  }

  /** Local insertion sequence of the newest stored event (0 when empty); used by snapshots. */
  seqHead(): number {
    return this.stmts.seqHead.get()?.s ?? 0;
  }

  /** Synchronous hook called for every stored event, inside its transaction. Returns an unsubscribe. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called after a transaction whose events `onAppend` listeners already saw was rolled back (a
   * full disk fails the commit itself, after the inserts ran): the listeners' state must be put
   * back in step with the log, which never stored `undone`. Returns an unsubscribe.
   */
  onRollback(listener: (undone: readonly Event[]) => void): () => void {
    this.rollbackListeners.add(listener);
    return () => this.rollbackListeners.delete(listener);
  }

  /**
   * New events (optionally of some types) as an async iterable, delivered after commit. Ends when
   * `signal` aborts or the log closes; throws `out_of_order` if the consumer falls too far behind.
   */
  subscribe(eventTypes?: readonly EventType[] | null, opts: { signal?: AbortSignal } = {}): AsyncIterable<Event> {
    this.assertOpen();
    const sub = new Subscriber(eventTypes ? new Set(eventTypes) : null, () => this.subscribers.delete(sub));
    this.subscribers.add(sub);
    if (opts.signal) {
      if (opts.signal.aborted) sub.end();
      else opts.signal.addEventListener('abort', () => sub.end(), { once: true });
    }
    return { [Symbol.asyncIterator]: () => sub.iterate() };
  }

  /** Idempotent: ends subscriptions and closes the database. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.subscribers]) s.end();
    this.listeners.clear();
    this.rollbackListeners.clear();
    this.db.close();
  }

  private storeBatch(events: readonly unknown[], pre: Map<Event, Prechecked>): BatchResult {
    const result: BatchResult = { accepted: 0, duplicates: 0, rejected: [] };
    const ok: Event[] = [];
    for (const e of events) {
      if (isEventShape(e)) ok.push(e);
      else result.rejected.push({ event_id: idOf(e), code: 'schema_unknown', message: eventShapeProblem(e) ?? '' });
    }
    ok.sort(compareEvents);
    this.transact(() => {
      for (const e of ok) {
        try {
          if (this.receiveOne(e, true, pre.get(e))) result.accepted += 1;
          else result.duplicates += 1;
        } catch (err) {
          if (!EventLogError.is(err) || EVENT_LOG_STORAGE_CODES.has(err.code)) throw err;
          result.rejected.push({ event_id: e.event_id, code: err.code, message: err.message });
        }
      }
    });
    this.flush();
    return result;
  }

  /** Check and store one received event; `pre` carries a signature already verified off-thread. */
  private receiveOne(event: Event, shapeChecked = false, pre?: Prechecked): boolean {
    const restJson = checkReceived(this.acceptance, event, { shapeChecked, pre });
    if (restJson === null) return false;
    this.insert(event, withSignature(restJson, event.signature));
    this.clock.observe(event.lamport);
    return true;
  }

  private insert(event: Event, json: string): void {
    this.stmts.insert.run(event.event_id, event.lamport, event.author, event.event_type, event.wall_clock, json);
    this.summaries.add(event.author, event.event_id, event.lamport);
    this.pending.push(event);
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.listenerFailed(err, event);
      }
    }
  }

  /** Run `fn` in a transaction; on rollback, resync in-memory state with the database. */
  private transact<T>(fn: () => T): T {
    try {
      return this.db.transaction(() => {
        const out = fn();
        this.clock.persist();
        this.summaries.persist();
        return out;
      })();
    } catch (err) {
      const undone = this.pending;
      this.pending = [];
      this.clock.reload(this.db);
      this.summaries.reload();
      if (undone.length > 0) this.notifyRollback(undone);
      if (err instanceof EventLogError) throw err;
      throw new EventLogError('write_failed', `the event log could not be written: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private notifyRollback(undone: readonly Event[]): void {
    for (const l of this.rollbackListeners) {
      try {
        l(undone);
      } catch (err) {
        this.listenerFailed(err, undone[0]);
      }
    }
  }

  /** Deliver committed events to async subscribers. */
  private flush(): void {
    const events = this.pending;
    this.pending = [];
    if (this.subscribers.size === 0) return;
    for (const e of events) for (const s of this.subscribers) if (s.wants(e)) s.push(e);
  }

  private listenerFailed(err: unknown, event: Event): void {
    (this.opts.log ?? getLogger('events')).error('an event log listener failed', {
      event_id: event.event_id,
      event_type: event.event_type,
      error: errorMessage(err),
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new EventLogError('closed', 'the event log is closed');
  }
}
