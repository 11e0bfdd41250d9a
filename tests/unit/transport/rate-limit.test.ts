import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src-main/runtime/transport';

describe('RateLimiter', () => {
  it('allows up to soft, slows up to hard, refuses beyond with retry_after_ms, refills over time', () => {
    let t = 0;
    const limited: string[] = [];
    const rl = new RateLimiter({
      softPerCap: 2,
      hardPerCap: 4,
      softTotal: 100,
      hardTotal: 100,
      now: () => t,
      onRateLimited: (c, r) => limited.push(`${c}:${r}`),
    });
    const r = Array.from({ length: 5 }, () => rl.check('alice', 'llm.chat'));
    expect(r.map((x) => [x.allowed, x.soft_exceeded])).toEqual([
      [true, false],
      [true, false],
      [true, true],
      [true, true],
      [false, true],
    ]);
    expect(r[4].retry_after_ms).toBe(250);
    expect(limited).toEqual(['llm.chat:soft', 'llm.chat:soft', 'llm.chat:hard']);
    t += 250;
    expect(rl.check('alice', 'llm.chat').allowed).toBe(true);
    expect(rl.check('alice', 'llm.chat').allowed).toBe(false);
    t += 1000;
    expect(rl.check('alice', 'llm.chat')).toEqual({ allowed: true, soft_exceeded: false, retry_after_ms: 0 });
  });

  it('keeps peers and capabilities apart but shares the total', () => {
    const t = 0;
    const rl = new RateLimiter({ softPerCap: 1, hardPerCap: 1, softTotal: 3, hardTotal: 3, now: () => t });
    expect(rl.check('alice', 'a.x').allowed).toBe(true);
    expect(rl.check('alice', 'a.x').allowed).toBe(false);
    expect(rl.check('alice', 'a.y').allowed).toBe(true);
    expect(rl.check('bob', 'a.x').allowed).toBe(true);
    const over = rl.check('carol', 'a.x');
    expect(over.allowed).toBe(false);
    expect(over.retry_after_ms).toBeGreaterThan(0);
  });

  it('uses the reference constants by default (10 soft / 100 hard per capability)', () => {
    const rl = new RateLimiter({ now: () => 0 });
    const r = Array.from({ length: 101 }, () => rl.check('p', 'c.d'));
    expect(r.filter((x) => !x.soft_exceeded)).toHaveLength(10);
    expect(r.filter((x) => x.allowed)).toHaveLength(100);
  });
});
