import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Tracer, TRACE_MAX_SPANS, type Trace } from '../../../src-main/runtime/observability';
import { TRACE_RING_BUFFER } from '../../../src-main/common';

describe('Tracer', () => {
  it('ring buffer keeps the newest `capacity` traces, newest first', async () => {
    const t = new Tracer({ capacity: 3 });
    for (let i = 0; i < 5; i++) await t.withTrace(`cap${i}`, () => undefined);
    expect(t.size).toBe(3);
    expect(t.getRecent().map((x) => x.capability)).toEqual(['cap4', 'cap3', 'cap2']);
    expect(t.getRecent(2).map((x) => x.capability)).toEqual(['cap4', 'cap3']);
    expect(t.getRecent(0)).toEqual([]);
    expect(new Tracer().getRecent()).toEqual([]);
  });

  it('defaults to TRACE_RING_BUFFER and bounds a full buffer', () => {
    const t = new Tracer();
    for (let i = 0; i < TRACE_RING_BUFFER + 5; i++) t.finish(t.createTrace('c'));
    expect(t.size).toBe(TRACE_RING_BUFFER);
    expect(t.getRecent(TRACE_RING_BUFFER + 100)).toHaveLength(TRACE_RING_BUFFER);
  });

  it('propagates the current trace across awaits and keeps concurrent calls apart', async () => {
    const t = new Tracer();
    const seen: string[] = [];
    const call = (cap: string, delay: number) =>
      t.withTrace(cap, async (trace) => {
        await new Promise((r) => setTimeout(r, delay));
        await t.span('inner', { step: cap }, async () => {
          await tick();
          seen.push(`${cap}:${t.currentTrace()?.trace_id === trace.trace_id}`);
        });
      });
    await Promise.all([call('a', 20), call('b', 1)]);
    expect(seen.sort()).toEqual(['a:true', 'b:true']);
    expect(t.currentTrace()).toBeNull();
    const [b, a] = [t.getRecent().find((x) => x.capability === 'b')!, t.getRecent().find((x) => x.capability === 'a')!];
    expect(a.spans.map((s) => s.extras.step)).toEqual(['a']);
    expect(b.spans.map((s) => s.extras.step)).toEqual(['b']);
    expect(a.spans[0].ended_at).not.toBeNull();
    expect(a.trace_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('newTrace/attach/detach with an injected clock, sinks and error spans', async () => {
    let now = 1_700_000_000_000;
    const t = new Tracer({ clock: () => now });
    const sunk: Trace[] = [];
    const errors: unknown[] = [];
    const t2 = new Tracer({ clock: () => now, onSinkError: (e) => errors.push(e) });
    t2.addTraceSink(() => {
      throw new Error('sink broke');
    });
    await t2.withTrace('x', () => undefined);
    expect(errors).toHaveLength(1);
    const off = t.addTraceSink((tr) => sunk.push(tr));
    await (async () => {
      const tr = t.newTrace('llm.chat@1.0');
      expect(t.currentTrace()).toBe(tr);
      await expect(
        t.span('backend', { model: 'q' }, () => {
          now += 1500;
          return Promise.reject(Object.assign(new Error('x'), { code: 'timeout' }));
        }),
      ).rejects.toThrow('x');
      expect(tr.spans[0]).toMatchObject({
        name: 'backend',
        started_at: 1_700_000_000,
        ended_at: 1_700_000_001.5,
        extras: { model: 'q', error: 'timeout' },
      });
      expect(t.detach()).toBe(tr);
      expect(t.currentTrace()).toBeNull();
    })();
    expect(sunk).toHaveLength(1);
    expect(sunk[0].ended_at).toBe(1_700_000_001.5);
    off();
    await t.withTrace('y', () => undefined);
    expect(sunk).toHaveLength(1);
  });

  it('bounds spans per trace and runs spans without a trace', async () => {
    const t = new Tracer();
    expect(await t.span('free', {}, () => 7)).toBe(7);
    const tr = t.createTrace('c');
    await t.runWithTrace(tr, async () => {
      for (let i = 0; i < TRACE_MAX_SPANS + 3; i++) await t.span(`s${i}`, {}, () => undefined);
    });
    expect(tr.spans).toHaveLength(TRACE_MAX_SPANS);
    expect(tr.spans_dropped).toBe(3);
  });
});
