/**
 * §23 of ../shared/spec/hearthnet-reference.md: a Trackio exporter. Steps are queued in memory (bounded) and posted in batches to
 * a Trackio server's REST endpoint `POST /api/bulk_log`, in the body Trackio's own clients send
 * (`{project, run, metrics_list, steps, timestamps}`; see docs/protocol/observability.md). Never
 * blocks or fails a caller: `log` only queues; a full queue drops its oldest steps; a dead or slow
 * collector costs one bounded request per flush interval and the batch is dropped (counted).
 */
import { realTimers, type Timers } from '../../common';

export const TRACKIO_DEFAULT_URL = 'http://127.0.0.1:7860';
/** Steps held at most while the collector is slow or away; older ones are dropped first. */
export const TRACKIO_QUEUE_MAX = 1_000;
/** Steps per request (Trackio's Go client uses 128 too). */
export const TRACKIO_BATCH_MAX = 128;
export const TRACKIO_FLUSH_INTERVAL_MS = 2_000;
export const TRACKIO_TIMEOUT_MS = 5_000;

export type TrackioValue = number | string | boolean | null;

export interface TrackioExporterOptions {
  readonly project: string;
  readonly run: string;
  /** Base URL of the Trackio server (`trackio show`, or a Space's `https://<owner>-<name>.hf.space`). */
  readonly url?: string;
  /** Sent as `X-Trackio-Write-Token` when set (a Space's write token). */
  readonly writeToken?: string | null;
  readonly queueMax?: number;
  readonly batchMax?: number;
  readonly flushIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly timers?: Timers;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** Told about a failed post (once per failure streak is up to the caller). */
  readonly onError?: (err: unknown) => void;
}

interface Step {
  readonly metrics: Record<string, TrackioValue>;
  readonly step: number;
  readonly timestamp: string;
}

export interface TrackioStats {
  queued: number;
  sent: number;
  dropped: number;
  failedPosts: number;
}

export class TrackioExporter {
  readonly stats: TrackioStats = { queued: 0, sent: 0, dropped: 0, failedPosts: 0 };
  private queue: Step[] = [];
  private nextStep = 0;
  private timer: unknown = null;
  private inflight: Promise<void> | null = null;
  private readonly url: string;
  private readonly timers: Timers;

  constructor(private readonly opts: TrackioExporterOptions) {
    this.url = (opts.url ?? TRACKIO_DEFAULT_URL).replace(/\/+$/, '');
    this.timers = opts.timers ?? realTimers;
  }

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  /** Stop the timer and make one last, bounded attempt to send what is queued. */
  async stop(): Promise<void> {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
    await this.flush();
  }

  /** Queue one step (never blocks, never throws). */
  log(metrics: Record<string, TrackioValue>): void {
    const max = this.opts.queueMax ?? TRACKIO_QUEUE_MAX;
    if (this.queue.length >= max) {
      const drop = this.queue.length - max + 1;
      this.queue.splice(0, drop);
      this.stats.dropped += drop;
    }
    this.queue.push({ metrics, step: this.nextStep++, timestamp: (this.opts.now?.() ?? new Date()).toISOString() });
    this.stats.queued = this.queue.length;
  }

  /** Post up to one batch now (one request at a time). */
  flush(): Promise<void> {
    if (this.inflight || this.queue.length === 0) return this.inflight ?? Promise.resolve();
    const batch = this.queue.splice(0, this.opts.batchMax ?? TRACKIO_BATCH_MAX);
    this.stats.queued = this.queue.length;
    this.inflight = this.post(batch).finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async post(batch: Step[]): Promise<void> {
    const body = {
      project: this.opts.project,
      run: this.opts.run,
      metrics_list: batch.map((s) => s.metrics),
      steps: batch.map((s) => s.step),
      timestamps: batch.map((s) => s.timestamp),
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.writeToken) headers['x-trackio-write-token'] = this.opts.writeToken;
    try {
      const res = await (this.opts.fetch ?? fetch)(`${this.url}/api/bulk_log`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? TRACKIO_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`Trackio answered ${res.status} to POST /api/bulk_log`);
      this.stats.sent += batch.length;
    } catch (err) {
      // Dropped, not retried: the queue stays bounded and a dead collector costs one request per interval.
      this.stats.dropped += batch.length;
      this.stats.failedPosts += 1;
      this.opts.onError?.(err);
    }
  }

  private schedule(): void {
    this.timer = this.timers.setTimeout(() => {
      void this.flush().finally(() => {
        if (this.timer) this.schedule();
      });
    }, this.opts.flushIntervalMs ?? TRACKIO_FLUSH_INTERVAL_MS);
  }
}

/** Base URL of a Hugging Face Space given as `owner/name` (how `trackio_space` is written). */
export function spaceUrl(space: string): string {
  const [owner, name] = space.split('/');
  if (!owner || !name) throw new Error(`trackio_space must be "owner/name", got "${space}"`);
  return `https://${owner}-${name}`.toLowerCase().replace(/[^a-z0-9:/.-]/g, '-') + '.hf.space';
}
