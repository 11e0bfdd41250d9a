import { describe, expect, it } from 'vitest';
import { CallScope } from '../../../src-main/runtime/bus/deadline';
import { BusError } from '../../../src-main/runtime/bus';

const never = () => new Promise<never>(() => {});
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: BusError) => e.wireCode,
  );

describe('CallScope', () => {
  it('resolves with the work and never reads a lazy caller signal nobody asked for', async () => {
    let reads = 0;
    const scope = new CallScope(() => {
      reads++;
      return new AbortController().signal;
    });
    expect(await scope.race(Promise.resolve(7), 1000, 'x')).toBe(7);
    expect(reads).toBe(0);
  });

  it('times out without a signal, and a signal read afterwards starts aborted with the timeout', async () => {
    const scope = new CallScope();
    expect(await code(scope.race(never(), 20, 'x'))).toBe('timeout');
    expect(scope.signal.aborted).toBe(true);
    expect((scope.signal.reason as BusError).wireCode).toBe('timeout');
  });

  it('a caller signal given as is cancels the race even if the handler never read its own', async () => {
    const caller = new AbortController();
    const scope = new CallScope(caller.signal);
    const p = code(scope.race(never(), 5000, 'x'));
    caller.abort();
    expect(await p).toBe('cancelled');
  });

  it('a lazy caller signal cancels through the handler signal once it was read', async () => {
    const caller = new AbortController();
    const scope = new CallScope(() => caller.signal);
    const handlerSignal = scope.signal;
    const p = code(scope.race(never(), 5000, 'x'));
    caller.abort();
    expect(await p).toBe('cancelled');
    expect(handlerSignal.aborted).toBe(true);
  });

  it('an abort before or during the race rejects with its reason; the handler signal carries it', async () => {
    const before = new CallScope();
    before.abort(new BusError('internal_error', 'gone'));
    expect(await code(before.race(never(), 5000, 'x'))).toBe('internal_error');
    const during = new CallScope();
    const signal = during.signal;
    const p = code(during.race(never(), 5000, 'x'));
    during.abort(new BusError('capacity_exceeded', 'full'));
    expect(await p).toBe('capacity_exceeded');
    expect(signal.aborted).toBe(true);
  });

  it('a caller that left before the call starts aborts it at once', () => {
    const caller = new AbortController();
    caller.abort();
    expect(new CallScope(caller.signal).aborted).toBe(true);
    const lazy = new CallScope(() => caller.signal);
    expect(lazy.signal.aborted).toBe(true);
  });
});
