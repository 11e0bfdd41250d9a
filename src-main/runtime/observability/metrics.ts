/**
 * Prometheus metrics (§4 of ../shared/spec/hearthnet-reference.md). Each node owns a `Metrics` with its own prom-client Registry,
 * so several nodes in one process never collide; the 14 standard metrics of §4.2 are
 * pre-registered with their exact names and labels.
 */
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { ObservabilityError } from './errors';

/** Quantiles reported by hearthnet_request_duration_ms. */
export const REQUEST_DURATION_PERCENTILES = Object.freeze([0.5, 0.9, 0.99]);
/** Sliding window of the duration summary: quantiles reflect the last 10 minutes. */
export const REQUEST_DURATION_WINDOW_SECONDS = 600;
const REQUEST_DURATION_AGE_BUCKETS = 5;
/** Observations held between scrapes; beyond this the oldest are dropped (a node nobody scrapes). */
export const SUMMARY_QUEUE_MAX = 10_000;

/** What callers of a summary use: `observe`. */
export interface SummaryObserver<L extends string> {
  observe(labels: Partial<Record<L, string | number>>, value: number): void;
}

/**
 * A prom-client Summary fed at scrape time. prom-client pushes every observation into a t-digest
 * per age bucket (5 here): ~6 us on every capability call, on a path that costs ~200 us in all,
 * for figures that a household node rarely has scraped. Observations wait in a bounded queue and
 * go into the Summary when `/metrics` is read; the ones older than the window are skipped, so the
 * quantiles, `_sum` and `_count` read the same as if each had been observed at once (buckets
 * rotate at scrape time rather than at observation time: a difference of one scrape interval).
 */
class DeferredSummary<L extends string> implements SummaryObserver<L> {
  private labels: Partial<Record<L, string | number>>[] = [];
  private values: number[] = [];
  private times: number[] = [];

  constructor(
    readonly summary: Summary<L>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  observe(labels: Partial<Record<L, string | number>>, value: number): void {
    if (this.values.length >= SUMMARY_QUEUE_MAX) {
      // Drop the oldest half in one go: O(1) amortised, and a full queue is a node nobody scrapes.
      const half = SUMMARY_QUEUE_MAX / 2;
      this.labels = this.labels.slice(half);
      this.values = this.values.slice(half);
      this.times = this.times.slice(half);
    }
    this.labels.push(labels);
    this.values.push(value);
    this.times.push(this.now());
  }

  /** Hand the queued observations to the Summary (prom-client calls this before each scrape). */
  flush(): void {
    const oldest = this.now() - this.maxAgeMs;
    for (let i = 0; i < this.values.length; i++)
      if (this.times[i] >= oldest) this.summary.observe(this.labels[i], this.values[i]);
    this.clear();
  }

  clear(): void {
    this.labels = [];
    this.values = [];
    this.times = [];
  }
}

/** Typed handles to the §4.2 standard metric set. */
export interface StandardMetrics {
  readonly requestsTotal: Counter<'capability' | 'result'>;
  readonly requestDurationMs: SummaryObserver<'capability'>;
  readonly activeStreams: Gauge<'capability'>;
  readonly nodesOnline: Gauge<'community'>;
  readonly eventLogSize: Gauge<'community'>;
  readonly eventLogLamportHead: Gauge<'community'>;
  readonly emergencyMode: Gauge<'state'>;
  readonly blobStorageBytes: Gauge;
  readonly llmTokensGeneratedTotal: Counter<'model' | 'backend'>;
  readonly llmConcurrent: Gauge<'model'>;
  readonly capabilityHealthSuccessRate: Gauge<'capability' | 'node'>;
  readonly rateLimitedTotal: Counter<'capability' | 'reason'>;
  readonly signatureFailuresTotal: Counter<'reason'>;
  readonly quarantinesTotal: Counter;
}

/** The exact names of the standard metrics, in reference order. */
export const STANDARD_METRIC_NAMES = Object.freeze([
  'hearthnet_requests_total',
  'hearthnet_request_duration_ms',
  'hearthnet_active_streams',
  'hearthnet_nodes_online',
  'hearthnet_event_log_size',
  'hearthnet_event_log_lamport_head',
  'hearthnet_emergency_mode',
  'hearthnet_blob_storage_bytes',
  'hearthnet_llm_tokens_generated_total',
  'hearthnet_llm_concurrent',
  'hearthnet_capability_health_success_rate',
  'hearthnet_rate_limited_total',
  'hearthnet_signature_failures_total',
  'hearthnet_quarantines_total',
] as const);

export interface MetricsOptions {
  /** `observability.metrics_enabled`; when false `text()` is empty and `/metrics` should 404. */
  readonly enabled?: boolean;
  /** Labels added to every series, e.g. `{ node: 'alice' }`. */
  readonly defaultLabels?: Record<string, string>;
  /** Epoch ms for the deferred summaries' window (injected in tests). */
  readonly now?: () => number;
}

/** One node's metric registry. Helpers return the existing metric when a name is registered twice. */
export class Metrics {
  readonly registry = new Registry();
  readonly std: StandardMetrics;
  private readonly enabled: boolean;
  private readonly now: () => number;
  private readonly deferred: DeferredSummary<string>[] = [];

  constructor(opts: MetricsOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.now = opts.now ?? Date.now;
    if (opts.defaultLabels) this.registry.setDefaultLabels(opts.defaultLabels);
    this.std = this.registerStandard();
  }

  /** True when metrics are off (reference `disabled()`). */
  disabled(): boolean {
    return !this.enabled;
  }

  counter<L extends string = string>(name: string, help: string, labels: readonly L[] = []): Counter<L> {
    return (
      this.existing<Counter<L>>(name, Counter) ??
      new Counter<L>({ name, help, labelNames: labels, registers: [this.registry] })
    );
  }

  gauge<L extends string = string>(name: string, help: string, labels: readonly L[] = []): Gauge<L> {
    return (
      this.existing<Gauge<L>>(name, Gauge) ??
      new Gauge<L>({ name, help, labelNames: labels, registers: [this.registry] })
    );
  }

  histogram<L extends string = string>(
    name: string,
    help: string,
    labels: readonly L[] = [],
    buckets?: number[],
  ): Histogram<L> {
    return (
      this.existing<Histogram<L>>(name, Histogram) ??
      new Histogram<L>({ name, help, labelNames: labels, registers: [this.registry], ...(buckets ? { buckets } : {}) })
    );
  }

  summary<L extends string = string>(
    name: string,
    help: string,
    labels: readonly L[] = [],
    percentiles: readonly number[] = REQUEST_DURATION_PERCENTILES,
  ): Summary<L> {
    return (
      this.existing<Summary<L>>(name, Summary) ?? new Summary<L>(this.summaryConfig(name, help, labels, percentiles))
    );
  }

  /** A sliding-window summary (REQUEST_DURATION_WINDOW_SECONDS) registered on this node's registry. */
  private summaryConfig<L extends string>(
    name: string,
    help: string,
    labels: readonly L[],
    percentiles: readonly number[],
  ) {
    return {
      name,
      help,
      labelNames: labels,
      percentiles: [...percentiles],
      maxAgeSeconds: REQUEST_DURATION_WINDOW_SECONDS,
      ageBuckets: REQUEST_DURATION_AGE_BUCKETS,
      registers: [this.registry],
    };
  }

  /** A summary observed on a hot path: observations are queued and reach prom-client at scrape time. */
  deferredSummary<L extends string = string>(
    name: string,
    help: string,
    labels: readonly L[] = [],
  ): SummaryObserver<L> {
    let deferred: DeferredSummary<L> | null = null;
    const summary = new Summary<L>({
      ...this.summaryConfig(name, help, labels, REQUEST_DURATION_PERCENTILES),
      collect: () => deferred?.flush(),
    });
    deferred = new DeferredSummary(summary, REQUEST_DURATION_WINDOW_SECONDS * 1000, this.now);
    this.deferred.push(deferred);
    // Metrics off: nothing is ever scraped, so nothing is queued.
    return this.enabled ? deferred : { observe: () => {} };
  }

  /** Prometheus text exposition (empty when disabled). */
  async text(): Promise<string> {
    return this.enabled ? this.registry.metrics() : '';
  }

  /** Content-Type for the `/metrics` response. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Zero every series (tests, `hearthnet erase`). */
  reset(): void {
    for (const d of this.deferred) d.clear();
    this.registry.resetMetrics();
  }

  private existing<M>(name: string, kind: abstract new (...a: never[]) => M): M | undefined {
    const m = this.registry.getSingleMetric(name);
    if (m === undefined) return undefined;
    if (!(m instanceof kind)) {
      throw new ObservabilityError('metric_conflict', `metric ${name} is already registered as a different type`, {
        details: { name },
      });
    }
    return m;
  }

  private registerStandard(): StandardMetrics {
    return {
      requestsTotal: this.counter(
        'hearthnet_requests_total',
        'Capability calls handled, by result (ok or an error code).',
        ['capability', 'result'],
      ),
      requestDurationMs: this.deferredSummary(
        'hearthnet_request_duration_ms',
        'Capability call duration in milliseconds.',
        ['capability'],
      ),
      activeStreams: this.gauge('hearthnet_active_streams', 'Streaming calls in progress.', ['capability']),
      nodesOnline: this.gauge('hearthnet_nodes_online', 'Neighbour nodes currently reachable.', ['community']),
      eventLogSize: this.gauge('hearthnet_event_log_size', 'Events stored in the community log.', ['community']),
      eventLogLamportHead: this.gauge(
        'hearthnet_event_log_lamport_head',
        'Highest Lamport value in the community log.',
        ['community'],
      ),
      emergencyMode: this.gauge(
        'hearthnet_emergency_mode',
        '1 for the current emergency mode (online, degraded, offline), 0 for the others.',
        ['state'],
      ),
      blobStorageBytes: this.gauge('hearthnet_blob_storage_bytes', 'Bytes used by the local blob store.'),
      llmTokensGeneratedTotal: this.counter(
        'hearthnet_llm_tokens_generated_total',
        'Tokens generated by local LLM backends.',
        ['model', 'backend'],
      ),
      llmConcurrent: this.gauge('hearthnet_llm_concurrent', 'LLM generations in progress.', ['model']),
      capabilityHealthSuccessRate: this.gauge(
        'hearthnet_capability_health_success_rate',
        'Success rate over the last calls to a capability on a node (0..1).',
        ['capability', 'node'],
      ),
      rateLimitedTotal: this.counter('hearthnet_rate_limited_total', 'Calls refused or slowed by rate limiting.', [
        'capability',
        'reason',
      ]),
      signatureFailuresTotal: this.counter(
        'hearthnet_signature_failures_total',
        'Signatures that failed verification.',
        ['reason'],
      ),
      quarantinesTotal: this.counter(
        'hearthnet_quarantines_total',
        'Capability instances quarantined for poor health.',
      ),
    };
  }
}
