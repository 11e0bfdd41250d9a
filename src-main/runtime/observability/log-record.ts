/** The JSON-lines log record `{ts, level, logger, msg, ...extras}`: level order, redaction, safe encoding. */
import { LOG_LEVELS, type LogLevel } from '../config';

export { LOG_LEVELS, type LogLevel };

/** One log line as written to disk and read back by `readLogs`. */
export interface LogRecord {
  readonly ts: string;
  readonly level: LogLevel;
  readonly logger: string;
  readonly msg: string;
  readonly [extra: string]: unknown;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Numeric severity; higher is worse. */
export function levelRank(level: LogLevel): number {
  return RANK[level];
}

export const REDACTED = '[redacted]';
const SECRET_WORDS = new Set([
  'token',
  'secret',
  'authorization',
  'password',
  'passphrase',
  'cookie',
  'apikey',
  'seed',
]);
const SECRET_PAIRS = ['api key', 'private key', 'secret key'];
const MAX_DEPTH = 6;

/**
 * Whether a field name names a secret: `api_key`, `apiKey`, `access_token`, `Authorization`,
 * `client_secret`... Word-based so `tokens_out` or `max_tokens` (counts) stay visible.
 */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  const joined = words.join(' ');
  return SECRET_PAIRS.some((p) => joined.includes(p));
}

/** Copy `value` with secret-named fields replaced, Errors flattened, cycles and depth bounded. */
export function sanitize(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(e.code !== undefined ? { code: sanitize(e.code, depth + 1, seen) } : {}),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : sanitize(v, depth + 1, seen);
  return out;
}

/** Encode one record as a JSON line (no trailing newline). Never throws. */
export function formatRecord(record: LogRecord): string {
  try {
    return JSON.stringify(sanitize(record));
  } catch (err) {
    return JSON.stringify({
      ts: record.ts,
      level: record.level,
      logger: record.logger,
      msg: record.msg,
      log_encode_error: String(err),
    });
  }
}
