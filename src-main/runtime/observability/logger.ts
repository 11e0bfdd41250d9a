/**
 * Structured loggers. A LogHub owns the level and the sinks (one hub per node in a test mesh, or
 * the process-wide one behind `getLogger`); Loggers are cheap named views with bound fields.
 */
import { escapeJsonForTerminal } from '../../common';
import { formatRecord, levelRank, type LogLevel, type LogRecord } from './log-record';

/** Receives each record and its encoded JSON line. May throw; the hub contains it. */
export interface LogSink {
  write(record: LogRecord, line: string): void;
  close?(): void;
}

export interface LogHubOptions {
  readonly level?: LogLevel;
  /** Epoch ms; injectable for tests. */
  readonly clock?: () => number;
  /** Where sink failures are reported (once per failing sink until it recovers); default stderr. */
  readonly onSinkError?: (err: unknown) => void;
}

/** Owns the active level and sinks. Logging through it never throws. */
export class LogHub {
  level: LogLevel;
  /** Epoch ms source for `ts`; settable so the process-wide hub can take a test clock. */
  clock: () => number;
  private sinks: LogSink[] = [];
  private failing = new WeakSet<LogSink>();
  private readonly onSinkError: (err: unknown) => void;

  constructor(opts: LogHubOptions = {}) {
    this.level = opts.level ?? 'info';
    this.clock = opts.clock ?? Date.now;
    this.onSinkError =
      opts.onSinkError ?? ((err) => process.stderr.write(`hearthnet: a log sink failed: ${String(err)}\n`));
  }

  /** Replace all sinks (closing the old ones). */
  setSinks(sinks: LogSink[]): void {
    const old = this.sinks;
    this.sinks = [...sinks];
    for (const s of old) if (!sinks.includes(s)) this.closeSink(s);
  }

  addSink(sink: LogSink): () => void {
    this.sinks.push(sink);
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }

  /** Close every sink; the hub keeps working with none. */
  close(): void {
    this.setSinks([]);
  }

  enabled(level: LogLevel): boolean {
    return levelRank(level) >= levelRank(this.level);
  }

  emit(record: LogRecord): void {
    if (!this.enabled(record.level)) return;
    const line = formatRecord(record);
    for (const sink of this.sinks) {
      try {
        sink.write(record, line);
        this.failing.delete(sink);
      } catch (err) {
        // Reported once per failure streak so a full disk does not flood stderr.
        if (!this.failing.has(sink)) {
          this.failing.add(sink);
          this.safeReport(err);
        }
      }
    }
  }

  logger(name: string, fields: Record<string, unknown> = {}): Logger {
    return new Logger(this, name, fields);
  }

  private closeSink(s: LogSink): void {
    try {
      s.close?.();
    } catch (err) {
      this.safeReport(err);
    }
  }

  private safeReport(err: unknown): void {
    try {
      this.onSinkError(err);
    } catch {
      // Reporting is best effort: logging must never throw into the caller.
    }
  }
}

const RESERVED = new Set(['ts', 'level', 'logger', 'msg']);

/** A named logger with bound fields (e.g. `{ node: 'alice' }`). */
export class Logger {
  constructor(
    private readonly hub: LogHub,
    readonly name: string,
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {}

  /** A logger named `<name>.<suffix>` (or the same name) with extra bound fields. */
  child(suffix: string | null, fields: Record<string, unknown> = {}): Logger {
    return new Logger(this.hub, suffix ? `${this.name}.${suffix}` : this.name, { ...this.fields, ...fields });
  }

  enabled(level: LogLevel): boolean {
    return this.hub.enabled(level);
  }

  log(level: LogLevel, msg: string, extras: Record<string, unknown> = {}): void {
    try {
      if (!this.hub.enabled(level)) return;
      const ts = new Date(this.hub.clock()).toISOString();
      const record: Record<string, unknown> = { ts, level, logger: this.name, msg };
      for (const [k, v] of Object.entries({ ...this.fields, ...extras })) {
        // An extra never overwrites the four fixed fields; it is kept under `extra_<name>`.
        record[k in record && RESERVED.has(k) ? `extra_${k}` : k] = v;
      }
      this.hub.emit(record as LogRecord);
    } catch {
      // Never throw from logging (e.g. a broken clock); nothing sensible to report to.
    }
  }

  debug(msg: string, extras?: Record<string, unknown>): void {
    this.log('debug', msg, extras);
  }
  info(msg: string, extras?: Record<string, unknown>): void {
    this.log('info', msg, extras);
  }
  warn(msg: string, extras?: Record<string, unknown>): void {
    this.log('warn', msg, extras);
  }
  error(msg: string, extras?: Record<string, unknown>): void {
    this.log('error', msg, extras);
  }
}

/** Writes each line to stderr (for `hearthnet run --debug` and headless servers). */
export function stderrSink(): LogSink {
  return { write: (_r, line) => void process.stderr.write(escapeJsonForTerminal(line) + '\n') };
}

/** Keeps records in memory (tests, the UI's live log view). Bounded to `max` records. */
export class MemorySink implements LogSink {
  readonly records: LogRecord[] = [];
  constructor(private readonly max = 10_000) {}
  write(record: LogRecord, line: string): void {
    this.records.push(JSON.parse(line) as LogRecord);
    if (this.records.length > this.max) this.records.shift();
  }
}
