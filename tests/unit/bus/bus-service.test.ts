import { describe, expect, it } from 'vitest';
import { defineCapability, toCapabilitySpec } from '../../../src-main/runtime/bus';
import type { RegistryEvent } from '../../../src-main/runtime/bus';
import type { Service, ServiceCapability } from '../../../src-main/runtime/services/base';
import { createMesh } from './loopback-mesh';
import { BusError } from '../../../src-main/runtime/bus';

/** A toy embedding service offering one instance per model (reference §21: params { model }). */
class ToyEmbed implements Service {
  readonly name = 'embedding';
  readonly version = '1.0';
  started = 0;
  constructor(
    readonly models: string[],
    readonly badSchema = false,
  ) {}
  capabilities(): ServiceCapability[] {
    return this.models.map((model) => ({
      descriptor: defineCapability({
        name: 'embed.text',
        version: [1, 0],
        idempotent: true,
        params: { model },
        request_schema: this.badSchema ? { type: 'nonsense' } : { type: 'object', required: ['texts'] },
      }),
      handler: () => Promise.resolve({ model, vectors: [[0.1]] }),
      paramsCompatible: (offered, requested) => requested.model === offered.model,
    }));
  }
  start() {
    this.started++;
    return Promise.resolve();
  }
  async stop() {}
  health() {
    return { ok: true, models: this.models.length };
  }
}

describe('services on the bus', () => {
  it('registers every instance of a service, routes by params, and deregisters', async () => {
    const mesh = createMesh();
    const [alice, bob] = mesh.nodes;
    const svc = new ToyEmbed(['minilm', 'bge']);
    const changes: RegistryEvent[] = [];
    bob.bus.registry.on('change', (e) => changes.push(e)); // the node republishes its manifest on these
    expect(bob.bus.registerService(svc)).toHaveLength(2);
    expect(changes.map((c) => c.kind)).toEqual(['added', 'added']);
    expect(bob.bus.localCapabilitySpecs()).toEqual(svc.capabilities().map((c) => toCapabilitySpec(c.descriptor)));
    for (const n of mesh.nodes) n.bus.learn(svc.capabilities()[0].descriptor, svc.capabilities()[0].paramsCompatible);
    mesh.sync();
    expect(await alice.bus.call('embed.text', '1.0', { texts: ['a'] }, { params: { model: 'bge' } })).toMatchObject({
      model: 'bge',
    });
    expect(await alice.bus.call('embed.text', '1.0', { texts: ['a'] }, { params: { model: 'minilm' } })).toMatchObject({
      model: 'minilm',
    });
    const none = await alice.bus
      .call('embed.text', '1.0', { texts: ['a'] }, { params: { model: 'e5' } })
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(BusError);
    expect((none as BusError).code).toBe('not_found');
    expect((none as BusError).message).toMatch(/with \{"model":"e5"\}/);
    const snap = alice.bus.topologySnapshot();
    expect(snap.peers.map((p) => p.display_name).sort()).toEqual(['bob', 'carol']);
    expect(snap.capabilities_remote.map((e) => [e.name, e.params.model, e.contract])).toEqual(
      expect.arrayContaining([
        ['embed.text', 'bge', 'known'],
        ['embed.text', 'minilm', 'known'],
      ]),
    );
    expect(bob.bus.deregisterService(svc)).toBe(2);
    expect(bob.bus.localCapabilitySpecs()).toEqual([]);
  });

  it('registers nothing when one capability of a service is invalid', () => {
    const {
      nodes: [alice],
    } = createMesh(['alice']);
    expect(() => alice.bus.registerService(new ToyEmbed(['a', 'b'], true))).toThrow(
      expect.objectContaining({ code: 'schema_invalid' }),
    );
    expect(alice.bus.registry.all()).toEqual([]);
  });

  it('never routes to a peer whose contract hash differs from the one we know', async () => {
    const mesh = createMesh();
    const [alice, bob] = mesh.nodes;
    bob.bus.registerService(new ToyEmbed(['bge']));
    alice.bus.learn(
      defineCapability({
        name: 'embed.text',
        version: [1, 0],
        request_schema: { type: 'object', required: ['inputs'] },
      }),
    );
    mesh.sync();
    expect(alice.bus.topologySnapshot().capabilities_remote[0].contract).toBe('mismatch');
    await expect(alice.bus.call('embed.text', '1.0', { texts: [] })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/different contract/) as unknown,
    });
    expect(alice.transport.sent).toEqual([]);
  });
});
