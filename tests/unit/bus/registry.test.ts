import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../support/memory-logger';
import type { NodeId } from '../../../src-main/common';
import { defineCapability, Registry, schemaHash, toCapabilitySpec } from '../../../src-main/runtime/bus';
import type { RegistryEvent } from '../../../src-main/runtime/bus';
import type { CapabilitySpec, NodeManifest } from '../../../src-main/runtime/identity';
import { BusError } from '../../../src-main/runtime/bus';

const us = 'ed25519:us' as NodeId;
const bob = 'ed25519:bob' as NodeId;
const ep = { transport: 'https', host: '127.0.0.1', port: 4001 };
const handler = () => Promise.resolve({});

const embed = defineCapability({
  name: 'embed.text',
  version: [1, 0],
  params: { model: 'm1' },
  idempotent: true,
  request_schema: { type: 'object', required: ['texts'] },
});
const spec = (over: Partial<CapabilitySpec> = {}): CapabilitySpec => ({ ...toCapabilitySpec(embed), ...over });
const manifest = (node: NodeId, capabilities: CapabilitySpec[]) =>
  ({ node_id: node, capabilities }) as unknown as NodeManifest;

describe('Registry', () => {
  it('diffs a peer manifest: added, then updated, then removed', () => {
    const r = new Registry(us);
    const events: RegistryEvent[] = [];
    r.on('change', (e) => events.push(e));
    const d1 = r.updateFromPeerManifest(
      { nodeId: bob, endpoint: ep },
      manifest(bob, [spec(), spec({ name: 'rag.query', params: {} })]),
    );
    expect(d1.added.map((e) => e.descriptor.name).sort()).toEqual(['embed.text', 'rag.query']);
    expect(d1.removed).toEqual([]);
    expect(d1.updated).toEqual([]);
    expect(r.all().every((e) => !e.is_local && e.node_id === bob && e.endpoint === ep)).toBe(true);

    const same = r.updateFromPeerManifest(
      { nodeId: bob, endpoint: ep },
      manifest(bob, [spec(), spec({ name: 'rag.query', params: {} })]),
    );
    expect([same.added, same.removed, same.updated].map((l) => l.length)).toEqual([0, 0, 0]);

    const d2 = r.updateFromPeerManifest({ nodeId: bob, endpoint: ep }, manifest(bob, [spec({ max_concurrent: 9 })]));
    expect(d2.updated.map((e) => e.descriptor.max_concurrent)).toEqual([9]);
    expect(d2.removed.map((e) => e.descriptor.name)).toEqual(['rag.query']);
    expect(r.all()).toHaveLength(1);
    expect(events.map((e) => `${e.kind}:${e.entry.descriptor.name}`)).toEqual([
      'added:embed.text',
      'added:rag.query',
      'removed:rag.query',
      'updated:embed.text',
    ]);
    expect(r.removePeer(bob)).toBe(1);
    expect(r.all()).toEqual([]);
  });

  it('keeps several instances per node apart by params', () => {
    const r = new Registry(us);
    r.updateFromPeerManifest({ nodeId: bob, endpoint: ep }, manifest(bob, [spec(), spec({ params: { model: 'm2' } })]));
    expect(r.all()).toHaveLength(2);
    expect(r.entry(bob, 'embed.text', [1, 0], { model: 'm2' })?.descriptor.params).toEqual({ model: 'm2' });
  });

  it('ignores its own manifest, skips malformed specs, and refuses a manifest under another id', () => {
    const r = new Registry(us);
    expect(r.updateFromPeerManifest({ nodeId: us, endpoint: ep }, manifest(us, [spec()])).added).toEqual([]);
    const d = r.updateFromPeerManifest(
      { nodeId: bob, endpoint: ep },
      manifest(bob, [
        spec({ name: 'Bad' }),
        spec({ version: 'one' }),
        spec({ max_concurrent: 0 }),
        spec({ params: null as never }),
        spec(),
      ]),
    );
    expect(d.added).toHaveLength(1);
    const before = r.all().length;
    expect(() =>
      r.updateFromPeerManifest({ nodeId: bob, endpoint: ep }, manifest('ed25519:mallory' as NodeId, [])),
    ).toThrow(BusError);
    expect(r.all()).toHaveLength(before);
  });

  it('finds by version: same major, minor at least the requested', () => {
    const r = new Registry(us);
    r.updateFromPeerManifest(
      { nodeId: bob, endpoint: ep },
      manifest(bob, [spec({ version: '1.2' }), spec({ version: '2.0', params: { model: 'x' } })]),
    );
    expect(r.find('embed.text', [1, 0]).map((e) => e.spec.version)).toEqual(['1.2']);
    expect(r.find('embed.text', [1, 2]).map((e) => e.spec.version)).toEqual(['1.2']);
    expect(r.find('embed.text', [1, 3])).toEqual([]);
    expect(r.find('embed.text', [2, 0]).map((e) => e.spec.version)).toEqual(['2.0']);
    expect(r.find('embed.text', [3, 0])).toEqual([]);
    expect(r.find('embed.text', [1, 0], (p) => p.model === 'nope')).toEqual([]);
  });

  it('judges remote contracts by schema hash against what it knows', () => {
    const r = new Registry(us);
    r.updateFromPeerManifest({ nodeId: bob, endpoint: ep }, manifest(bob, [spec()]));
    const e = r.all()[0];
    expect(e.contract).toBe('unknown');
    expect(e.descriptor.idempotent).toBe(false); // unknown contract: no automatic retries
    r.learn(embed);
    r.updateFromPeerManifest(
      { nodeId: bob, endpoint: ep },
      manifest(bob, [spec(), spec({ params: { model: 'm2' }, schema_hash: 'blake3:00' })]),
    );
    const [known, drifted] = [
      r.entry(bob, 'embed.text', [1, 0], { model: 'm1' })!,
      r.entry(bob, 'embed.text', [1, 0], { model: 'm2' })!,
    ];
    expect(known.contract).toBe('known');
    expect(known.descriptor.idempotent).toBe(true);
    expect(known.descriptor.request_schema).toEqual(embed.request_schema);
    expect(schemaHash(known.descriptor)).toBe(schemaHash(embed));
    expect(drifted.contract).toBe('mismatch');
  });

  it('registers and deregisters local instances, emitting changes', () => {
    const r = new Registry(us);
    const kinds: string[] = [];
    const off = r.on('change', (e) => kinds.push(`${e.kind}:${e.entry.is_local}`));
    r.registerLocal(embed, handler);
    r.registerLocal(defineCapability({ ...embed, params: { model: 'm2' } }), handler);
    r.registerLocal(embed, handler); // same instance again: replaced
    expect(r.allLocal()).toHaveLength(2);
    expect(r.allLocal()[0].spec).toEqual(toCapabilitySpec(embed));
    expect(r.deregisterLocal('embed.text', [1, 0], { model: 'm2' })).toBe(1);
    expect(r.deregisterLocal('embed.text', [1, 0])).toBe(1);
    expect(r.deregisterLocal('embed.text', [1, 0])).toBe(0);
    off();
    r.registerLocal(embed, handler);
    expect(kinds).toEqual(['added:true', 'added:true', 'updated:true', 'removed:true', 'removed:true']);
  });

  it('rejects a hand-built descriptor with a bad name and keeps nothing', () => {
    const r = new Registry(us);
    expect(() => r.registerLocal({ ...embed, name: 'Embed' }, handler)).toThrow(
      expect.objectContaining({ code: 'namespace_violation' }),
    );
    expect(r.all()).toEqual([]);
  });

  it('reports a throwing listener without breaking the registry', () => {
    const { log, records } = memoryLogger('bus');
    const r = new Registry(us, { log });
    r.on('change', () => {
      throw new Error('boom');
    });
    r.registerLocal(embed, handler);
    expect(records.filter((x) => x.level === 'warn' && x.error === 'boom')).toHaveLength(1);
    expect(r.allLocal()).toHaveLength(1);
  });
});
