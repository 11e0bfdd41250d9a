import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  buildRecords,
  MDNS_SERVICE,
  parseResponse,
  txtStrings,
  type MdnsIdentity,
} from '../../../src-main/runtime/discovery';

const kp = generateKeyPair();
const community = generateKeyPair();
const id: MdnsIdentity = {
  nodeIdShort: kp.nodeIdShort,
  nodeIdFull: kp.nodeIdFull,
  communityIdShort: community.nodeIdShort,
  profile: 'hearth',
  port: 8443,
  capabilityNames: ['llm.chat', 'rag.query'],
  addresses: ['10.231.0.1'],
};

/** Through the real encoder and decoder, as the records travel. */
function wire(ttl?: number) {
  const { answers, additionals } = buildRecords(id, ttl);
  const decoded = dnsPacket.decode(dnsPacket.encode({ type: 'response', answers, additionals }));
  return [...(decoded.answers ?? []), ...(decoded.additionals ?? [])];
}

describe('mDNS records', () => {
  it('encode PTR/SRV/TXT/A and parse back to the same instance', () => {
    const [inst] = parseResponse(wire());
    expect(inst).toEqual({
      nodeIdFull: kp.nodeIdFull,
      nodeIdShort: kp.nodeIdShort,
      communityIdShort: community.nodeIdShort,
      profile: 'hearth',
      port: 8443,
      addresses: ['10.231.0.1'],
      capabilityNames: ['llm.chat', 'rag.query'],
      goodbye: false,
    });
  });

  it('marks TTL 0 records as goodbye', () => {
    expect(parseResponse(wire(0))[0].goodbye).toBe(true);
  });

  it('keeps every TXT string under 255 bytes, cutting the capability list', () => {
    const many = { ...id, capabilityNames: Array.from({ length: 60 }, (_, i) => `capability${i}.op`) };
    const txt = txtStrings(many);
    for (const s of txt) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
    const caps = txt
      .find((s) => s.startsWith('caps='))!
      .slice(5)
      .split(',');
    expect(caps.length).toBeGreaterThan(5);
    expect(caps).toEqual(many.capabilityNames.slice(0, caps.length));
  });

  it('skips instances whose id does not match nid, wrong version or other services', () => {
    const recs = wire();
    const forged = recs.map((r) =>
      r.type === 'TXT' ? { ...r, data: txtStrings({ ...id, nodeIdShort: generateKeyPair().nodeIdShort }) } : r,
    );
    expect(parseResponse(forged)).toEqual([]);
    const v2 = recs.map((r) =>
      r.type === 'TXT' ? { ...r, data: txtStrings(id).map((s) => (s === 'v=1' ? 'v=2' : s)) } : r,
    );
    expect(parseResponse(v2)).toEqual([]);
    const other = recs.map((r) => (r.type === 'PTR' ? { ...r, name: '_http._tcp.local' } : r));
    expect(parseResponse(other)).toEqual([]);
    expect(recs.some((r) => r.type === 'PTR' && r.name === MDNS_SERVICE)).toBe(true);
  });
});
