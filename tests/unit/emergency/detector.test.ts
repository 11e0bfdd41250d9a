/** M09 detector: classification, debounce, intervals, effects and lifecycle on a fake clock with scripted probes. */
import { describe, expect, it } from 'vitest';
import type { Mode } from '../../../src-main/common';
import { classify, Detector, EmergencyError, StateBus, type ProbeFn } from '../../../src-main/runtime/emergency';
import { FakeClock } from './fake-clock';

const TARGETS = ['10.0.0.1', 'example.test', 'http://127.0.0.1:9/x'];

/** Scripted world: which targets answer, plus a record of when each round ran. */
function world(clock: FakeClock) {
  const up: Record<string, boolean> = Object.fromEntries(TARGETS.map((t) => [t, true]));
  const rounds: number[] = [];
  const probe: ProbeFn = (t) => {
    if (t === TARGETS[0]) rounds.push(clock.now());
    return Promise.resolve(up[t] ?? false);
  };
  const setAll = (v: boolean) => TARGETS.forEach((t) => (up[t] = v));
  return { up, rounds, probe, setAll };
}

function harness(opts: { settleFirstRound?: boolean } = {}) {
  const clock = new FakeClock();
  const w = world(clock);
  const calls = { enter: 0, leave: 0 };
  const modes: Mode[] = [];
  const bus = new StateBus();
  const emitted: Mode[] = [];
  bus.on((s) => emitted.push(s.mode));
  const det = new Detector({
    targets: TARGETS,
    stateBus: bus,
    probe: w.probe,
    clock,
    settleFirstRound: opts.settleFirstRound,
    onModeChange: (m) => modes.push(m),
    effects: { onEnterOffline: () => void (calls.enter += 1), onLeaveOffline: () => void (calls.leave += 1) },
  });
  return { clock, w, calls, modes, bus, emitted, det, t0: clock.now() };
}

describe('classify', () => {
  it('all up -> online, none -> offline, some -> degraded', () => {
    expect(classify({ a: true, b: true })).toBe('online');
    expect(classify({ a: false, b: false })).toBe('offline');
    expect(classify({ a: true, b: false })).toBe('degraded');
  });
});

describe('Detector', () => {
  it('rejects a malformed probe target at construction', () => {
    const make = () =>
      new Detector({ targets: ['1.1.1.1', 'not a host!'], probe: () => Promise.resolve(true), clock: new FakeClock() });
    expect(make).toThrow(EmergencyError);
    expect(make).toThrow(/not a host!/);
  });

  it('walks online -> blip -> offline -> degraded -> online with the debounce and exactly one effect per transition', async () => {
    const h = harness();
    const { clock, w, calls, det } = h;
    const at = (s: number) => h.t0 + s * 1000;
    det.start();
    await clock.advance(0);
    expect(det.current().mode).toBe('online');
    expect(det.current().probe_results).toEqual({
      '10.0.0.1': true,
      'example.test': true,
      'http://127.0.0.1:9/x': true,
    });

    // A blip: down for the t=10 round only.
    w.setAll(false);
    await clock.advance(10_000);
    expect(det.current().mode).toBe('online');
    expect(det.current().probe_results['10.0.0.1']).toBe(false);
    w.setAll(true);
    await clock.advance(10_000);
    expect(det.current().mode).toBe('online');

    // Sustained outage from the t=30 round: still online at t=59, offline at the t=60 round.
    w.setAll(false);
    await clock.advance(29_000);
    expect(clock.now()).toBe(at(49));
    await clock.advance(10_000);
    expect(det.current().mode).toBe('online');
    await clock.advance(1_000);
    expect(det.current().mode).toBe('offline');
    expect(det.current().since).toBe(new Date(at(60)).toISOString().replace('.000', ''));
    expect(calls).toEqual({ enter: 1, leave: 0 });

    // Offline now probes every 2 s.
    const before = w.rounds.length;
    await clock.advance(10_000);
    expect(w.rounds.slice(before)).toEqual([at(62), at(64), at(66), at(68), at(70)]);

    // One target back: degraded only after 30 s of it (first degraded round at t=72, so t=102).
    w.up['example.test'] = true;
    await clock.advance(31_000);
    expect(det.current().mode).toBe('offline');
    await clock.advance(1_000);
    expect(det.current().mode).toBe('degraded');
    expect(calls).toEqual({ enter: 1, leave: 1 });

    // Everything back: online 30 s later; no further effects (we left offline already).
    w.setAll(true);
    await clock.advance(40_000);
    expect(det.current().mode).toBe('online');
    expect(calls).toEqual({ enter: 1, leave: 1 });
    expect(h.modes).toEqual(['online', 'offline', 'degraded', 'online']);
    expect(h.emitted).toEqual(['offline', 'degraded', 'online']);

    // Back online: 10 s between rounds again.
    const b2 = w.rounds.length;
    await clock.advance(30_000);
    const gaps = w.rounds
      .slice(b2)
      .map((t, i, a) => (i === 0 ? null : t - a[i - 1]))
      .slice(1);
    expect(gaps).toEqual([10_000, 10_000]);
    await det.stop();
  });

  it('probes every 10 s while online', async () => {
    const { clock, w, det, t0 } = harness();
    det.start();
    await clock.advance(35_000);
    expect(w.rounds).toEqual([t0, t0 + 10_000, t0 + 20_000, t0 + 30_000]);
    await det.stop();
  });

  it('a node booting into an outage settles on the first round; with settleFirstRound=false it waits the debounce', async () => {
    const a = harness();
    a.w.setAll(false);
    a.det.start();
    await a.clock.advance(0);
    expect(a.det.current().mode).toBe('offline');
    expect(a.calls.enter).toBe(1);
    await a.det.stop();

    const b = harness({ settleFirstRound: false });
    b.w.setAll(false);
    b.det.start();
    await b.clock.advance(29_000);
    expect(b.det.current().mode).toBe('online');
    await b.clock.advance(1_000);
    expect(b.det.current().mode).toBe('offline');
    expect(b.calls.enter).toBe(1);
    await b.det.stop();
  });

  it('a degraded/offline flap while online still leaves online after the debounce, for the latest classification', async () => {
    const { clock, w, det } = harness();
    det.start();
    await clock.advance(0);
    for (let i = 0; i < 4; i++) {
      w.setAll(false);
      if (i % 2 === 1) w.up['example.test'] = true;
      await clock.advance(10_000);
      // Rounds at 10 (offline), 20 (degraded), 30 (offline): away from online for < 30 s.
      if (i < 3) expect(det.current().mode).toBe('online');
    }
    expect(det.current().mode).toBe('degraded');
    await det.stop();
  });

  it('start/stop are idempotent and leave no timer; stop aborts an in-flight round', async () => {
    const clock = new FakeClock();
    let aborted = 0;
    let calls = 0;
    const probe: ProbeFn = (_t, signal) => {
      calls += 1;
      return new Promise((resolve) =>
        signal.addEventListener('abort', () => {
          aborted += 1;
          resolve(false);
        }),
      );
    };
    const det = new Detector({ targets: ['10.0.0.1', '10.0.0.2'], probe, clock });
    det.start();
    det.start();
    await clock.advance(0);
    expect(calls).toBe(2);
    await det.stop();
    await det.stop();
    expect(aborted).toBe(2);
    expect(clock.pending()).toBe(0);
    expect(det.current().mode).toBe('online');
    await clock.advance(60_000);
    expect(calls).toBe(2);
  });

  it('an effect that throws is logged and the loop keeps running', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    let up = false;
    const det = new Detector({
      targets: ['10.0.0.1'],
      probe: () => Promise.resolve(up),
      clock,
      log: { info: () => {}, error: (msg) => errors.push(msg) },
      effects: { onEnterOffline: () => Promise.reject(new Error('bus gone')) },
    });
    det.start();
    await clock.advance(0);
    expect(det.current().mode).toBe('offline');
    expect(errors).toEqual(['emergency transition effect failed']);
    up = true;
    await clock.advance(32_000);
    expect(det.current().mode).toBe('online');
    await det.stop();
    expect(clock.pending()).toBe(0);
  });
});

describe('StateBus', () => {
  it('emits only on mode change; subscribe() yields changes until aborted', async () => {
    const bus = new StateBus();
    const ac = new AbortController();
    const seen: Mode[] = [];
    const reading = (async () => {
      for await (const s of bus.subscribe({ signal: ac.signal })) seen.push(s.mode);
    })();
    const base = bus.current();
    bus.publish({ ...base, probe_results: { a: true } });
    bus.publish({ ...base, mode: 'offline' });
    bus.publish({ ...base, mode: 'offline', probe_results: { a: false } });
    bus.publish({ ...base, mode: 'online' });
    expect(bus.current().mode).toBe('online');
    await new Promise((r) => setImmediate(r));
    ac.abort();
    await reading;
    expect(seen).toEqual(['offline', 'online']);
  });

  it('on() returns an unsubscribe', () => {
    const bus = new StateBus();
    const seen: Mode[] = [];
    const off = bus.on((s) => seen.push(s.mode));
    bus.publish({ ...bus.current(), mode: 'degraded' });
    off();
    bus.publish({ ...bus.current(), mode: 'offline' });
    expect(seen).toEqual(['degraded']);
  });
});
