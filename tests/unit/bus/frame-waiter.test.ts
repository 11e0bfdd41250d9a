import { describe, expect, it } from 'vitest';
import { FrameWaiter } from '../../../src-main/runtime/bus/frame-waiter';
import { BusError } from '../../../src-main/runtime/bus';

const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FrameWaiter (one timer per stream)', () => {
  it('a wait longer than the limit aborts the controller with timeout and rejects', async () => {
    const ctl = new AbortController();
    const w = new FrameWaiter(ctl, 40, 'test.x@1.0');
    const t0 = performance.now();
    const err = await w.next(never()).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(err).toBeInstanceOf(BusError);
    expect((err as BusError).wireCode).toBe('timeout');
    expect(ctl.signal.aborted).toBe(true);
    await expect(w.next(Promise.resolve(1))).rejects.toMatchObject({ wireCode: 'timeout' });
    w.dispose();
  });

  it('time between waits (a slow consumer) does not count; each wait gets the full limit', async () => {
    const ctl = new AbortController();
    const w = new FrameWaiter(ctl, 60, 'test.x@1.0');
    for (let i = 0; i < 4; i++) {
      expect(await w.next(sleep(25).then(() => i))).toBe(i);
      await sleep(50); // consumer busy
    }
    expect(ctl.signal.aborted).toBe(false);
    w.dispose();
  });

  it('a cancel rejects the pending wait with the abort reason', async () => {
    const ctl = new AbortController();
    const w = new FrameWaiter(ctl, Infinity, 'test.x@1.0');
    const p = w.next(never());
    ctl.abort(new BusError('cancelled', 'stopped by the caller'));
    await expect(p).rejects.toMatchObject({ wireCode: 'cancelled' });
    w.dispose();
  });

  it('passes a producer failure through unchanged', async () => {
    const ctl = new AbortController();
    const w = new FrameWaiter(ctl, 1000, 'test.x@1.0');
    const boom = new BusError('internal_error', 'boom');
    await expect(w.next(Promise.reject(boom))).rejects.toBe(boom);
    expect(ctl.signal.aborted).toBe(false);
    w.dispose();
  });
});
