/** A real Logger over its own LogHub and MemorySink, so a test can assert on what a part logged. */
import { LogHub, MemorySink, type Logger, type LogRecord } from '../../src-main/runtime/observability';

export function memoryLogger(name: string): { log: Logger; records: LogRecord[] } {
  const hub = new LogHub({ level: 'debug' });
  const sink = new MemorySink();
  hub.setSinks([sink]);
  return { log: hub.logger(name), records: sink.records };
}
