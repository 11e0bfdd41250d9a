import { describe, expect, it, vi } from 'vitest';
import { PeriodicTask, ShutdownStack } from '../../../src-main/runtime/lifecycle';

describe('ShutdownStack', () => {
  it('stops in reverse order, keeps going past failures, and is idempotent', async () => {
    const order: string[] = [];
    const warn = vi.fn();
    const stack = new ShutdownStack({ warn });
    stack.push('a', () => order.push('a'));
    stack.push('b', () => {
      throw new Error('boom');
    });
    stack.push('c', () => Promise.resolve(order.push('c')));
    await Promise.all([stack.unwind(), stack.unwind()]);
    expect(order).toEqual(['c', 'a']);
    expect(warn).toHaveBeenCalledWith('stopping b failed', { error: 'boom' });
  });
});

describe('PeriodicTask', () => {
  it('runs repeatedly without overlapping, reports errors, and stops cleanly', async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const errors: unknown[] = [];
    const task = new PeriodicTask(
      async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        concurrent--;
        if (runs === 2) throw new Error('second run fails');
      },
      1,
      (e) => errors.push(e),
    );
    task.start({ immediately: true });
    await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(4), { timeout: 2000 });
    await task.stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(after);
    expect(maxConcurrent).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
