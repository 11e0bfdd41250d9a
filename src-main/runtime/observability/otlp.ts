/**
 * §23 / X03: traces and metrics over OTLP/HTTP (protobuf) with the OpenTelemetry JS SDK, when
 * `observability.otlp_endpoint` is set. Every finished bus call becomes a span (caller, server or
 * local; the call's ULID trace id is the span's trace id, so both ends of a call land in one
 * trace) and feeds call counters and a latency histogram; node gauges (peers, log size, ...) are
 * read at each metrics export. Never blocks a call: spans wait in the SDK's bounded batch queue
 * (the newest are dropped when it is full), metrics are aggregated in memory with a bounded number
 * of series, and every export has a timeout, so a dead collector costs one failed request per
 * interval. Loaded only when configured (telemetry.ts imports it on demand).
 */
import { randomFillSync } from 'node:crypto';
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type IdGenerator } from '@opentelemetry/sdk-trace';
import type { CallTraceEvent } from '../bus';

/** Finished spans held at most while the collector is slow or away. */
export const OTLP_SPAN_QUEUE_MAX = 2_048;
export const OTLP_SPAN_BATCH_MAX = 512;
export const OTLP_SPAN_FLUSH_MS = 5_000;
export const OTLP_METRICS_INTERVAL_MS = 30_000;
/** Per export request (and for the last flush at stop). */
export const OTLP_TIMEOUT_MS = 5_000;
/** Series per instrument (capability × result × role): a bound on memory whatever callers send. */
export const OTLP_SERIES_MAX = 500;
/** Latency buckets in ms: local calls take microseconds, a model call seconds. */
const LATENCY_BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

export interface OtlpOptions {
  /** Base URL of an OTLP/HTTP receiver (`http://collector:4318`); `/v1/traces` and `/v1/metrics` are appended. */
  readonly endpoint: string;
  readonly nodeId: string;
  /** The household's display name (resource attribute `hearthnet.node.name`). */
  readonly nodeName: string;
  readonly serviceVersion: string;
  /** Extra request headers (a collector's auth token). */
  readonly headers?: Record<string, string>;
  /** Node gauges read at each metrics export: name (without prefix) -> value. */
  readonly gauges?: () => Record<string, number>;
  readonly spanFlushMs?: number;
  readonly metricsIntervalMs?: number;
  readonly timeoutMs?: number;
  /** Told about a failed export (the caller decides how often to say so). */
  readonly onError?: (err: unknown) => void;
}

/** The signal URLs under an OTLP/HTTP base URL (the OTEL_EXPORTER_OTLP_ENDPOINT convention). */
export function otlpUrls(endpoint: string): { traces: string; metrics: string } {
  const base = endpoint.replace(/\/+$/, '');
  return { traces: `${base}/v1/traces`, metrics: `${base}/v1/metrics` };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CROCKFORD_VALUE = new Map(
  Array.from(CROCKFORD).flatMap((c, v) => [[c, v] as const, [c.toLowerCase(), v] as const]),
);

/**
 * A ULID's 128 bits as the 32 hex digits of an OTLP trace id; null if it is not a ULID. 26
 * base-32 digits carry 130 bits, the first 2 always zero: read 5 bits at a time, write 4.
 */
export function ulidToTraceId(ulid: string): string | null {
  if (ulid.length !== 26) return null;
  let hex = '';
  let acc = 0;
  let bits = -2; // the two leading zero bits are skipped
  for (const ch of ulid) {
    const v = CROCKFORD_VALUE.get(ch);
    if (v === undefined) return null;
    acc = ((acc << 5) | v) & 0x3ff; // at most 9 bits are pending
    bits += 5;
    while (bits >= 4) {
      bits -= 4;
      hex += ((acc >> bits) & 0xf).toString(16);
    }
  }
  return /^0+$/.test(hex) ? null : hex;
}

/** Random ids from a pooled CSPRNG block (one call per 512 span ids, not one per id). */
const POOL_BYTES = 4_096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/** Trace ids from our calls: the next root span takes the id set just before it starts. */
class CallTraceIds implements IdGenerator {
  next: string | null = null;
  generateTraceId(): string {
    const id = this.next ?? randomHex(16);
    this.next = null;
    return id;
  }
  generateSpanId(): string {
    return randomHex(8);
  }
}

/** Reports failed exports to `onError`, then hands the result on unchanged. */
function watchExports(
  exporter: { export(items: unknown, done: (r: { code: number; error?: Error }) => void): void },
  onError: (err: unknown) => void,
): void {
  const original = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    original(items, (r) => {
      if (r.code !== 0) onError(r.error ?? new Error('OTLP export failed'));
      done(r);
    });
}

/** Epoch milliseconds (fractional) as OpenTelemetry's [seconds, nanoseconds]. */
function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export type CallRole = 'caller' | 'server' | 'local';

export class OtlpExporter {
  private readonly ids = new CallTraceIds();
  private readonly tracerProvider: TracerProvider;
  private readonly meterProvider: MeterProvider;
  private readonly tracer;
  private readonly calls;
  private readonly duration;
  private readonly tokens;
  private stopped = false;

  constructor(private readonly opts: OtlpOptions) {
    const urls = otlpUrls(opts.endpoint);
    const timeoutMillis = opts.timeoutMs ?? OTLP_TIMEOUT_MS;
    const onError = opts.onError ?? (() => undefined);
    const resource = resourceFromAttributes({
      'service.name': 'hearthnet',
      'service.version': opts.serviceVersion,
      'service.instance.id': opts.nodeId,
      'hearthnet.node.name': opts.nodeName,
    });

    const spanExporter = new OTLPTraceExporter({
      url: urls.traces,
      headers: opts.headers,
      timeoutMillis,
      concurrencyLimit: 2,
    });
    watchExports(spanExporter, onError);
    this.tracerProvider = new TracerProvider({
      resource,
      idGenerator: this.ids,
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: spanExporter,
          maxQueueSize: OTLP_SPAN_QUEUE_MAX,
          maxExportBatchSize: OTLP_SPAN_BATCH_MAX,
          scheduledDelayMillis: opts.spanFlushMs ?? OTLP_SPAN_FLUSH_MS,
          exportTimeoutMillis: timeoutMillis,
        }),
      ],
    });
    this.tracer = this.tracerProvider.getTracer('hearthnet.bus');

    const metricExporter = new OTLPMetricExporter({
      url: urls.metrics,
      headers: opts.headers,
      timeoutMillis,
      concurrencyLimit: 2,
    });
    watchExports(metricExporter, onError);
    this.meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: metricExporter,
          exportIntervalMillis: opts.metricsIntervalMs ?? OTLP_METRICS_INTERVAL_MS,
          exportTimeoutMillis: timeoutMillis,
          cardinalityLimits: { default: OTLP_SERIES_MAX },
        }),
      ],
    });
    const meter = this.meterProvider.getMeter('hearthnet');
    this.calls = meter.createCounter('hearthnet.bus.calls', { description: 'Finished bus calls' });
    this.duration = meter.createHistogram('hearthnet.bus.call.duration', {
      description: 'Bus call latency',
      unit: 'ms',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
    });
    this.tokens = meter.createCounter('hearthnet.llm.tokens', { description: 'Model tokens in and out' });
    if (opts.gauges) {
      const read = opts.gauges;
      const names = Object.keys(read());
      const gauges = names.map((n) => meter.createObservableGauge(`hearthnet.${n}`));
      meter.addBatchObservableCallback((result) => {
        const now = read();
        gauges.forEach((g, i) => {
          const v = now[names[i]];
          if (typeof v === 'number' && Number.isFinite(v)) result.observe(g, v);
        });
      }, gauges);
    }
  }

  /** One finished call: a span ending now that started `ms` ago, and the call metrics. */
  recordCall(ev: CallTraceEvent, role: CallRole): void {
    if (this.stopped) return;
    const end = performance.timeOrigin + performance.now();
    const attributes: Attributes = {
      'hearthnet.capability': ev.capability,
      'hearthnet.capability.version': ev.version,
      'hearthnet.trace_id': ev.trace_id,
      'hearthnet.from_node': ev.from_node,
      'hearthnet.to_node': ev.to_node,
      'hearthnet.result': ev.result,
      'hearthnet.bytes_in': ev.bytes_in,
      'hearthnet.bytes_out': ev.bytes_out,
    };
    if (ev.tokens_in !== null) attributes['hearthnet.tokens_in'] = ev.tokens_in;
    if (ev.tokens_out !== null) attributes['hearthnet.tokens_out'] = ev.tokens_out;
    this.ids.next = ulidToTraceId(ev.trace_id);
    const span = this.tracer.startSpan(ev.capability, {
      kind: role === 'caller' ? SpanKind.CLIENT : role === 'server' ? SpanKind.SERVER : SpanKind.INTERNAL,
      startTime: hrTime(end - ev.ms),
      attributes,
      root: true,
    });
    this.ids.next = null;
    if (ev.result !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: ev.result });
    span.end(hrTime(end));

    const labels = this.labels(ev.capability, ev.result, role);
    this.calls.add(1, labels);
    this.duration.record(ev.ms, labels);
    if (ev.tokens_in) this.tokens.add(ev.tokens_in, { capability: ev.capability, direction: 'in' });
    if (ev.tokens_out) this.tokens.add(ev.tokens_out, { capability: ev.capability, direction: 'out' });
  }

  /** The same frozen label set for the same call kind (the SDK hashes attributes per record; fewer objects, less GC). */
  private readonly labelSets = new Map<string, Attributes>();
  private labels(capability: string, result: string, role: CallRole): Attributes {
    const key = `${capability}\u0000${result}\u0000${role}`;
    let l = this.labelSets.get(key);
    if (!l) {
      if (this.labelSets.size >= OTLP_SERIES_MAX) this.labelSets.clear();
      l = Object.freeze({ capability, result, role });
      this.labelSets.set(key, l);
    }
    return l;
  }

  /** Send what is pending now (tests, and before stop). */
  async flush(): Promise<void> {
    // A failed export is already reported to onError; flushing never throws at the caller.
    await Promise.allSettled([this.tracerProvider.forceFlush(), this.meterProvider.forceFlush()]);
  }

  /** Last flush (bounded by the export timeout), then nothing more is recorded or sent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const bound = new Promise<void>((r) => setTimeout(r, (this.opts.timeoutMs ?? OTLP_TIMEOUT_MS) + 1_000).unref());
    await Promise.race([
      Promise.allSettled([this.tracerProvider.shutdown(), this.meterProvider.shutdown()]).then(() => undefined),
      bound,
    ]);
  }
}
