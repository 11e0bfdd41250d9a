/** M09 effects: the requires_internet capability toggler and the emergency-mode gauge hook. */
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InternetCapabilityToggler, modeGaugeHook, requiresInternet } from '../../../src-main/runtime/emergency';

interface Entry {
  descriptor: { name: string; version: string; params: Record<string, unknown> };
  handler: () => string;
}

function fakeBus(entries: Entry[]) {
  const live = new Map(entries.map((e) => [`${e.descriptor.name}@${e.descriptor.version}`, e]));
  const log: string[] = [];
  let failRegister: string | null = null;
  const toggler = new InternetCapabilityToggler<Entry>({
    list: () => [...live.values()],
    deregister: (name, version) => {
      log.push(`-${name}@${version}`);
      live.delete(`${name}@${version}`);
    },
    register: (e) => {
      if (e.descriptor.name === failRegister) throw new Error('registry busy');
      log.push(`+${e.descriptor.name}@${e.descriptor.version}`);
      live.set(`${e.descriptor.name}@${e.descriptor.version}`, e);
    },
  });
  return { live, log, toggler, failOn: (n: string | null) => (failRegister = n) };
}

const cap = (name: string, params: Record<string, unknown>): Entry => ({
  descriptor: { name, version: '1.0', params },
  handler: () => name,
});

describe('InternetCapabilityToggler', () => {
  it('removes only requires_internet capabilities and restores exactly those, handlers intact', async () => {
    const cloud = cap('llm.chat', { model: 'claude', requires_internet: true });
    const local = cap('llm.complete', { model: 'qwen', requires_internet: false });
    const market = cap('market.list', {});
    const b = fakeBus([cloud, local, market]);
    expect(await b.toggler.disable()).toBe(1);
    expect([...b.live.keys()]).toEqual(['llm.complete@1.0', 'market.list@1.0']);
    expect(await b.toggler.disable()).toBe(0); // idempotent: nothing listed needs the internet now
    expect(b.toggler.held()).toHaveLength(1);
    expect(await b.toggler.restore()).toBe(1);
    expect(b.live.get('llm.chat@1.0')?.handler()).toBe('llm.chat');
    expect(await b.toggler.restore()).toBe(0);
    expect(b.log).toEqual(['-llm.chat@1.0', '+llm.chat@1.0']);
  });

  it('keeps what failed to re-register for the next restore()', async () => {
    const b = fakeBus([cap('a.x', { requires_internet: true }), cap('b.x', { requires_internet: true })]);
    await b.toggler.disable();
    b.failOn('b.x');
    await expect(b.toggler.restore()).rejects.toThrow('registry busy');
    expect(b.live.has('a.x@1.0')).toBe(true);
    expect(b.toggler.held().map((e) => e.descriptor.name)).toEqual(['b.x']);
    b.failOn(null);
    expect(await b.toggler.restore()).toBe(1);
    expect(b.live.has('b.x@1.0')).toBe(true);
  });

  it('requiresInternet needs params.requires_internet === true exactly', () => {
    expect(requiresInternet({ name: 'x', version: '1.0', params: { requires_internet: 'yes' } })).toBe(false);
    expect(requiresInternet({ name: 'x', version: '1.0' })).toBe(false);
  });
});

describe('modeGaugeHook', () => {
  it('sets 1 on the current mode and 0 on the others', async () => {
    const registry = new Registry();
    const gauge = new Gauge({
      name: 'hearthnet_emergency_mode',
      help: 'mode',
      labelNames: ['state'],
      registers: [registry],
    });
    const hook = modeGaugeHook(gauge);
    hook('offline');
    hook('degraded');
    const values = (await gauge.get()).values.map((v) => [v.labels.state, v.value]);
    expect(Object.fromEntries(values)).toEqual({ online: 0, degraded: 1, offline: 0 });
  });
});
