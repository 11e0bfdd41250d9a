// The text of something thrown, for logs and user-facing messages: `Error`s (and error-like objects from
// other realms) give their message, anything else its string form.
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && err.message != null)
    return typeof err.message === 'string' ? err.message : JSON.stringify(err.message);
  return String(err);
}

/** The stack of something thrown when it has one (for logs), else its string form. */
export function errorStack(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'stack' in err && typeof err.stack === 'string') return err.stack;
  return String(err);
}

/** The `code` of a Node.js system error (`EADDRINUSE`, `ENOENT`, ...), if `err` has one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
