/**
 * Process-wide logging (§3 of ../shared/spec/hearthnet-reference.md `configure` / `get_logger`). Nodes that share a process
 * (test meshes) create their own LogHub instead and bind `{ node: 'alice' }` on their loggers.
 */
import type { ObservabilityConfig } from '../config';
import { FileSink } from './log-file-sink';
import { LogHub, stderrSink, type Logger, type LogSink } from './logger';

export interface LoggingOptions {
  /** Also write lines to stderr. */
  readonly stderr?: boolean;
  /** Epoch ms; injectable for tests. */
  readonly clock?: () => number;
  readonly retentionDays?: number;
}

/** Configure `hub` from the config: level, file sink in `log_dir` (if set), optional stderr. */
export function configureHub(
  hub: LogHub,
  cfg: Pick<ObservabilityConfig, 'log_level' | 'log_dir'>,
  opts: LoggingOptions = {},
): void {
  hub.level = cfg.log_level;
  const sinks: LogSink[] = [];
  if (cfg.log_dir !== '')
    sinks.push(new FileSink({ dir: cfg.log_dir, clock: opts.clock ?? hub.clock, retentionDays: opts.retentionDays }));
  if (opts.stderr) sinks.push(stderrSink());
  hub.setSinks(sinks);
}

const globalHub = new LogHub();
let configuredKey: string | null = null;

/**
 * Install the process-wide sinks. Idempotent: the same settings again change nothing; new
 * settings replace the old sinks (closing their files).
 */
export function configureLogging(
  cfg: Pick<ObservabilityConfig, 'log_level' | 'log_dir'>,
  opts: LoggingOptions = {},
): LogHub {
  const key = JSON.stringify([cfg.log_level, cfg.log_dir, !!opts.stderr, opts.retentionDays ?? null]);
  if (key === configuredKey && !opts.clock) return globalHub;
  if (opts.clock) globalHub.clock = opts.clock;
  configureHub(globalHub, cfg, opts);
  configuredKey = key;
  return globalHub;
}

/** A logger on the process-wide hub. Safe before `configureLogging` (logs go nowhere until then). */
export function getLogger(name: string, fields: Record<string, unknown> = {}): Logger {
  return globalHub.logger(name, fields);
}

/** The process-wide hub (for adding a sink, e.g. the UI's live log view). */
export function logHub(): LogHub {
  return globalHub;
}

/** Close the process-wide sinks (at shutdown). */
export function shutdownLogging(): void {
  globalHub.close();
  configuredKey = null;
}
