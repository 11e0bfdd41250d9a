import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  encodeAnnouncement,
  parseAnnouncement,
  UDP_PACKET_MAX_BYTES,
  type AnnouncementInput,
} from '../../../src-main/runtime/discovery';

const kp = generateKeyPair();
const me = generateKeyPair();
const community = generateKeyPair().nodeIdFull;
const NOW = 1_800_000_000;

function input(over: Partial<AnnouncementInput> = {}): AnnouncementInput {
  return {
    node_id: kp.nodeIdFull,
    community_id: community,
    display_name: 'Kitchen',
    profile: 'hearth',
    port: 8443,
    capabilities: ['llm.chat', 'embedding.embed'],
    ts: NOW,
    seq: 3,
    ...over,
  };
}
const ctx = { communityId: community, ourNodeIdFull: me.nodeIdFull, nowSeconds: NOW };

describe('UDP announcement', () => {
  it('round-trips a signed packet', () => {
    const { bytes, packet } = encodeAnnouncement(input({ host: '10.0.0.2' }), kp);
    const res = parseAnnouncement(bytes, ctx);
    expect(res).toEqual({ ok: true, packet });
    expect(packet.signature).toMatch(/^ed25519:/);
    expect(packet.host).toBe('10.0.0.2');
  });

  it('rejects a packet whose fields were changed after signing', () => {
    const { packet } = encodeAnnouncement(input(), kp);
    const tampered = Buffer.from(JSON.stringify({ ...packet, port: 9999 }));
    expect(parseAnnouncement(tampered, ctx)).toEqual({ ok: false, reason: 'bad_signature' });
    const otherSigner = encodeAnnouncement(input(), generateKeyPair()).packet; // signed by a key that is not node_id
    expect(parseAnnouncement(Buffer.from(JSON.stringify(otherSigner)), ctx)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('ignores a foreign community, our own packets and stale or future packets', () => {
    expect(
      parseAnnouncement(encodeAnnouncement(input({ community_id: generateKeyPair().nodeIdFull }), kp).bytes, ctx),
    ).toEqual({ ok: false, reason: 'foreign_community' });
    expect(parseAnnouncement(encodeAnnouncement(input({ node_id: me.nodeIdFull }), me).bytes, ctx)).toEqual({
      ok: false,
      reason: 'own',
    });
    expect(parseAnnouncement(encodeAnnouncement(input({ ts: NOW - 121 }), kp).bytes, ctx)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(parseAnnouncement(encodeAnnouncement(input({ ts: NOW + 121 }), kp).bytes, ctx)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(parseAnnouncement(encodeAnnouncement(input({ ts: NOW - 119 }), kp).bytes, ctx).ok).toBe(true);
  });

  it('counts malformed input: not JSON, wrong version, missing fields, bad types', () => {
    const good = encodeAnnouncement(input(), kp).packet as unknown as Record<string, unknown>;
    const bad: unknown[] = [
      'not json',
      '[]',
      'null',
      { ...good, v: 2 },
      { ...good, port: 0 },
      { ...good, port: 70000 },
      { ...good, node_id: 'ed25519:XXXX' },
      { ...good, capabilities: [1] },
      { ...good, profile: 'king' },
      { ...good, seq: -1 },
      { ...good, ts: 1.5 },
    ];
    const { signature: _s, ...unsigned } = good;
    bad.push(unsigned);
    for (const b of bad) {
      const bytes = Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
      expect(parseAnnouncement(bytes, ctx), JSON.stringify(b).slice(0, 60)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(parseAnnouncement(Buffer.alloc(UDP_PACKET_MAX_BYTES + 1, 0x20), ctx)).toEqual({
      ok: false,
      reason: 'oversize',
    });
  });

  it('truncates the capability list so the packet stays under 1200 bytes, and still verifies', () => {
    const caps = Array.from({ length: 200 }, (_, i) => `service${i}.operation`);
    const { bytes, packet, truncated } = encodeAnnouncement(
      input({ capabilities: caps, display_name: 'ü'.repeat(200) }),
      kp,
    );
    expect(bytes.length).toBeLessThanOrEqual(UDP_PACKET_MAX_BYTES);
    expect(truncated).toBeGreaterThan(0);
    expect(packet.capabilities).toEqual(caps.slice(0, caps.length - truncated));
    expect([...packet.display_name]).toHaveLength(64);
    expect(parseAnnouncement(bytes, ctx).ok).toBe(true);
  });
});
