/** X02 §3.4 of ../shared/spec/hearthnet-reference.md: ReplayEngine keeps registered materialised views in step with the log. */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { errorMessage } from '../../common/error-message';
import { type EventType } from '../../common';
import type { EventLog } from './log';
import type { Event, MaterialisedView } from './types';
import { EventLogError } from './errors';

interface Registration {
  readonly view: MaterialisedView;
  readonly types: ReadonlySet<string> | null;
}

export interface ReplayEngineOptions {
  /** Where a view that throws on `apply` is reported (default: the process-wide logger); other views carry on. */
  readonly log?: Logger;
}

/**
 * Applies each new log event to the views that registered for its type (wired through
 * `log.onAppend`, so views see an event before the next one of a batch is checked), and
 * rebuilds views from the log in (lamport, event_id) order.
 */
export class ReplayEngine {
  private readonly views = new Map<string, Registration>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeRollback: () => void;

  constructor(
    readonly log: EventLog,
    private readonly opts: ReplayEngineOptions = {},
  ) {
    this.unsubscribe = log.onAppend((e) => this.onEvent(e));
    // Views saw events of a transaction that then failed to commit (e.g. the disk is full): they
    // must never show what the log refused, so every view that took one is rebuilt from the log.
    // Rare, and a rebuild reads only (which works on a full disk).
    this.unsubscribeRollback = log.onRollback((undone) => {
      for (const [name, r] of this.views)
        if (undone.some((e) => !r.types || r.types.has(e.event_type))) this.rebuild(name, 0);
    });
  }

  /** Register a view for some event types (empty or omitted: all types). Does not rebuild it. */
  register(name: string, view: MaterialisedView, eventTypes: readonly EventType[] = []): void {
    if (this.views.has(name)) throw new EventLogError('view_exists', `a view named "${name}" is already registered`);
    this.views.set(name, { view, types: eventTypes.length ? new Set(eventTypes) : null });
  }

  viewNames(): string[] {
    return [...this.views.keys()];
  }

  view(name: string): MaterialisedView {
    const r = this.views.get(name);
    if (!r) throw new EventLogError('view_unknown', `no view named "${name}" is registered`);
    return r.view;
  }

  /**
   * `fromLamport = 0`: reset the view and apply the whole log. Otherwise apply only events with
   * lamport > fromLamport to the view as it stands (it must already reflect everything before).
   */
  rebuild(name: string, fromLamport = 0): void {
    const r = this.views.get(name);
    if (!r) throw new EventLogError('view_unknown', `no view named "${name}" is registered`);
    if (fromLamport <= 0) r.view.reset();
    const eventTypes = r.types ? [...r.types] : null;
    for (const e of this.log.replay({ sinceLamport: fromLamport, eventTypes })) this.applyTo(name, r, e);
  }

  rebuildAll(): void {
    for (const name of this.views.keys()) this.rebuild(name, 0);
  }

  /** Apply one event to every view registered for its type. */
  onEvent(event: Event): void {
    for (const [name, r] of this.views) if (!r.types || r.types.has(event.event_type)) this.applyTo(name, r, event);
  }

  /** Detach from the log (idempotent). */
  stop(): void {
    this.unsubscribe();
    this.unsubscribeRollback();
  }

  /** Used by snapshot restore: apply an event to one view. */
  applyToView(name: string, event: Event): void {
    const r = this.views.get(name);
    if (r && (!r.types || r.types.has(event.event_type))) this.applyTo(name, r, event);
  }

  private applyTo(name: string, r: Registration, e: Event): void {
    try {
      r.view.apply(e);
    } catch (err) {
      (this.opts.log ?? getLogger('events')).error('a view failed to apply an event', {
        view: name,
        event_id: e.event_id,
        event_type: e.event_type,
        error: errorMessage(err),
      });
    }
  }
}
