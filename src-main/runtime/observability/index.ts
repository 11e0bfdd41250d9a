/** X03 observability: JSON-lines logging, Prometheus metrics, call tracing, doctor checks. */
export * from './log-record';
export { LogHub, Logger, MemorySink, stderrSink } from './logger';
export { componentLogger, type ComponentLogger } from './component-logger';
export type { LogSink, LogHubOptions } from './logger';
export {
  FileSink,
  listLogFiles,
  logFileName,
  logFileDate,
  utcDate,
  LOG_FILE_PREFIX,
  LOG_FILE_SUFFIX,
} from './log-file-sink';
export type { FileSinkOptions } from './log-file-sink';
export { RateLimitedLogger, RATE_LIMIT_MAX_KEYS } from './rate-limited-logger';
export { configureLogging, configureHub, getLogger, logHub, shutdownLogging } from './logging';
export type { LoggingOptions } from './logging';
export { readLogs, READ_LOGS_POLL_MS } from './read-logs';
export type { ReadLogsOptions } from './read-logs';
export * from './metrics';
export * from './doctor';
export * from './errors';
export { registerStandardChecks, STANDARD_CHECK_NAMES } from './checks';
export type { StandardCheckOptions } from './checks';
export * from './checks-storage';
export * from './checks-network';
export * from './checks-health';
export * from './trackio';
