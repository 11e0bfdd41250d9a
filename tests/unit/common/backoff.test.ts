import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src-main/common';
import { BackoffTable } from '../../../src-main/runtime/discovery';

describe('backoffDelayMs (chat retries, discovery manifest fetches)', () => {
  it('doubles from 1 s and caps at RECONNECT_BACKOFF_CAP_SECONDS', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 1e9].map((n) => backoffDelayMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
  });

  it('takes its own base and cap', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelayMs(n, 100, 500))).toEqual([100, 200, 400, 500]);
  });

  it('a BackoffTable waits 1 s after the first failure, 2 s after the second, and resets on success', () => {
    const t = new BackoffTable();
    expect(t.due('peer', 0)).toBe(true);
    expect(t.fail('peer', 0)).toBe(1000);
    expect(t.due('peer', 999)).toBe(false);
    expect(t.due('peer', 1000)).toBe(true);
    expect(t.fail('peer', 1000)).toBe(2000);
    t.succeed('peer', 3000, 60_000);
    expect(t.failures('peer')).toBe(0);
    expect(t.due('peer', 62_999)).toBe(false);
  });
});
