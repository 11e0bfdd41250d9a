import { describe, expect, it } from 'vitest';
import { abortError, deadlineSignal, HearthError, throwIfAborted } from '../../../src-main/common';

/** Resolves with the signal's reason once it aborts; rejects if it has not within `ms`. */
function aborted(signal: AbortSignal, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not aborted within ${ms} ms`)), ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve(signal.reason);
      },
      { once: true },
    );
  });
}

describe('deadlineSignal / abortError', () => {
  it('a passed deadline ends the work with `timeout`, not `cancelled`', async () => {
    const signal = deadlineSignal(20);
    await aborted(signal, 2_000);
    const err = abortError(signal, 'The download');
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('The download ran out of time.');
  });

  it("the caller's abort ends it with `cancelled`, before the deadline", () => {
    const caller = new AbortController();
    const signal = deadlineSignal(60_000, caller.signal);
    expect(signal.aborted).toBe(false);
    caller.abort();
    expect(signal.aborted).toBe(true);
    const err = abortError(signal, 'The download');
    expect(err.code).toBe('cancelled');
    expect(err.message).toBe('The download was cancelled.');
  });

  it('a HearthError given as the reason is kept as it is (a failure or a domain timeout)', () => {
    const caller = new AbortController();
    const why = new HearthError('forbidden', 'revoked');
    caller.abort(why);
    expect(abortError(deadlineSignal(60_000, caller.signal), 'x')).toBe(why);
  });

  it('a domain names its own errors; an infinite deadline never fires', async () => {
    const signal = deadlineSignal(Number.POSITIVE_INFINITY);
    const caller = new AbortController();
    const linked = deadlineSignal(Number.POSITIVE_INFINITY, caller.signal);
    expect(linked).toBe(caller.signal);
    await new Promise((r) => setTimeout(r, 30));
    expect(signal.aborted).toBe(false);
    const errors = {
      timeout: () => new HearthError('timeout', 'late'),
      cancelled: () => new HearthError('cancelled', 'stopped by the user'),
    };
    caller.abort();
    expect(() => throwIfAborted(linked, errors)).toThrow('stopped by the user');
    expect(() => throwIfAborted(signal, errors)).not.toThrow();
    const late = deadlineSignal(0);
    await aborted(late, 2_000);
    expect(abortError(late, errors).message).toBe('late');
  });
});
