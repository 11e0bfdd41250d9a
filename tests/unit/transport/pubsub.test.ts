import { describe, expect, it } from 'vitest';
import { PubSubServer } from '../../../src-main/runtime/transport';

describe('PubSubServer', () => {
  it('numbers items per topic from 1 and returns those after last_seq', async () => {
    const ps = new PubSubServer();
    expect(ps.publish('a', { n: 1 })).toBe(1);
    expect(ps.publish('a', { n: 2 })).toBe(2);
    expect(ps.publish('b', { n: 1 })).toBe(1);
    expect(await ps.subscribe('a', { lastSeq: 1, timeoutMs: 0 })).toEqual({
      topic: 'a',
      items: [{ seq: 2, payload: { n: 2 } }],
      last_seq: 2,
    });
  });

  it('long-polls until a publish, or returns empty at the timeout', async () => {
    const ps = new PubSubServer();
    const waiting = ps.subscribe('t', { lastSeq: 0, timeoutMs: 5_000 });
    setTimeout(() => ps.publish('t', { hi: true }), 20);
    expect((await waiting).items).toEqual([{ seq: 1, payload: { hi: true } }]);
    const t0 = Date.now();
    expect(await ps.subscribe('t', { lastSeq: 1, timeoutMs: 50 })).toEqual({ topic: 't', items: [], last_seq: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
  });

  it('an aborted poll returns at once; retention is bounded; a last_seq from a previous run resumes at the head', async () => {
    const ps = new PubSubServer(3);
    const ac = new AbortController();
    const p = ps.subscribe('x', { timeoutMs: 10_000, signal: ac.signal });
    ac.abort();
    expect((await p).items).toEqual([]);
    for (let i = 1; i <= 5; i++) ps.publish('x', { i });
    expect((await ps.subscribe('x', { timeoutMs: 0 })).items.map((i) => i.seq)).toEqual([3, 4, 5]);
    expect(await ps.subscribe('x', { lastSeq: 99, timeoutMs: 10_000 })).toEqual({ topic: 'x', items: [], last_seq: 5 });
  });

  it('refuses bad topics and last_seq', async () => {
    const ps = new PubSubServer();
    await expect(ps.subscribe('', {})).rejects.toMatchObject({ code: 'bad_request' });
    await expect(ps.subscribe('a b', {})).rejects.toMatchObject({ code: 'bad_request' });
    await expect(ps.subscribe('a', { lastSeq: -1 })).rejects.toMatchObject({ code: 'bad_request' });
  });
});
