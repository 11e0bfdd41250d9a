import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src-main/common';
import { generateKeyPair, signPayload } from '../../../src-main/runtime/identity';
import {
  decodeInvite,
  encodeInvite,
  inviteEventData,
  inviteToQrPng,
  makeInvite,
  type InviteBlob,
} from '../../../src-main/runtime/onboarding';
import { OnboardingError } from '../../../src-main/runtime/onboarding';

const NOW = new Date('2026-05-26T08:00:00Z');
const root = generateKeyPair();
const inviter = generateKeyPair();
const invitee = generateKeyPair();
const community = { community_id: root.nodeIdFull, name: 'Elm Street' };
const endpoints = [{ transport: 'https', host: '192.168.1.20', port: 7443 }];

const make = (over: Partial<Parameters<typeof makeInvite>[0]> = {}) =>
  makeInvite({
    invitee: invitee.nodeIdFull,
    inviterKp: inviter,
    community,
    bootstrapEndpoints: endpoints,
    now: NOW,
    ...over,
  });

function caught(fn: () => unknown): OnboardingError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OnboardingError);
    return err as OnboardingError;
  }
  throw new Error('expected a throw');
}

const encodeRaw = (obj: unknown) => 'hearthnet://v1/' + Buffer.from(JSON.stringify(obj)).toString('base64url');

describe('invites', () => {
  it('make -> encode -> decode round-trips, from a link, padded text or a file', () => {
    const blob = make();
    expect(blob).toMatchObject({
      schema_version: 1,
      community_name: 'Elm Street',
      inviter_node_id: inviter.nodeIdFull,
      initial_level: 'member',
      expires_at: '2026-05-27T08:00:00Z',
    });
    const link = encodeInvite(blob);
    expect(link).toMatch(/^hearthnet:\/\/v1\/[A-Za-z0-9_-]+$/);
    expect(Buffer.from(link.slice('hearthnet://v1/'.length), 'base64url').toString()).toBe(canonicalJson(blob));
    const opts = { now: NOW, ourNodeId: invitee.nodeIdFull };
    expect(decodeInvite(link, opts)).toEqual(blob);
    expect(decodeInvite(`\n\n   ${link}  \r\n`, opts)).toEqual(blob);
    expect(decodeInvite(`Hi! Your HearthNet invite:\n${link}\n\nSee you, Ana\n`, opts)).toEqual(blob);
    expect(decodeInvite(JSON.stringify(blob, null, 2) + '\n', opts)).toEqual(blob);
    expect(inviteEventData(blob)).toEqual({
      invitee: invitee.nodeIdFull,
      level: 'member',
      expires_at: blob.expires_at,
      inviter: inviter.nodeIdFull,
    });
  });

  it('invite_invalid for bad scheme, version, base64, JSON, shape and signature, saying which', () => {
    const blob = make();
    const link = encodeInvite(blob);
    const cases: Array<[string, RegExp]> = [
      ['', /not a HearthNet invite/],
      ['https://example.org/join', /not a HearthNet invite/],
      [link.replace('/v1/', '/v2/'), /version v2 is not supported/],
      [link.replace('/v1/', '/'), /expected hearthnet:\/\/v1/],
      ['hearthnet://v1/abc$def', /not base64url/],
      ['hearthnet://v1/' + Buffer.from('not json').toString('base64url'), /not JSON/],
      ['hearthnet://v1/' + Buffer.from([0xff, 0xfe, 0x00]).toString('base64url'), /does not decode to text|not JSON/],
      ['{"broken": ', /not valid JSON/],
      [encodeRaw({ ...blob, schema_version: 2 }), /schema_version 2/],
      [encodeRaw({ ...blob, invitee_node_id: invitee.nodeIdShort }), /invitee_node_id/],
      [encodeRaw({ ...blob, initial_level: 'god' }), /initial_level/],
      [
        encodeRaw({ ...blob, bootstrap_endpoints: [{ transport: 'ftp', host: 'x', port: 1 }] }),
        /bootstrap_endpoints\[0\]\.transport/,
      ],
      [encodeRaw({ ...blob, extra: 1 }), /extra/],
      [encodeRaw({ ...blob, initial_level: 'anchor' }), /signature/],
      [link.slice(0, -4), /damaged|not JSON|signature/],
    ];
    for (const [text, msg] of cases) {
      const e = caught(() => decodeInvite(text, { now: NOW }));
      expect(e.code, text.slice(0, 40)).toBe('invite_invalid');
      expect(e.message, text.slice(0, 40)).toMatch(msg);
      expect(e.wireCode).toBe('bad_request');
    }
  });

  it('refuses a foreign signature: a blob naming one inviter but signed by another key', () => {
    const { signature: _s, ...body } = make();
    const forged = signPayload(body as Record<string, unknown>, generateKeyPair()) as unknown as InviteBlob;
    expect(caught(() => decodeInvite(encodeInvite(forged), { now: NOW })).message).toMatch(/signature does not match/);
    const tampered = {
      ...make(),
      bootstrap_endpoints: [{ transport: 'https', host: '10.6.6.6', port: 443 }],
    } as InviteBlob;
    expect(caught(() => decodeInvite(encodeInvite(tampered), { now: NOW })).code).toBe('invite_invalid');
  });

  it('invite_expired by the injected clock, invitee_mismatch for another device', () => {
    const blob = make({ ttlSeconds: 600 });
    const link = encodeInvite(blob);
    expect(() => decodeInvite(link, { now: new Date(NOW.getTime() + 599_000) })).not.toThrow();
    const e = caught(() => decodeInvite(link, { now: new Date(NOW.getTime() + 600_000) }));
    expect(e.code).toBe('invite_expired');
    expect(e.wireCode).toBe('expired');
    expect(caught(() => decodeInvite(link, { now: NOW, ourNodeId: generateKeyPair().nodeIdFull })).code).toBe(
      'invitee_mismatch',
    );
  });

  it('makeInvite refuses a short or garbled invitee id and a bad lifetime', () => {
    expect(caught(() => make({ invitee: invitee.nodeIdShort })).message).toMatch(/full node id/);
    expect(caught(() => make({ invitee: 'bob' })).code).toBe('invite_invalid');
    expect(caught(() => make({ ttlSeconds: -5 })).code).toBe('invite_invalid');
  });

  it('renders a PNG QR code', async () => {
    const blob = make({ initialLevel: 'trusted' });
    const png = await inviteToQrPng(blob);
    expect(png.length).toBeGreaterThan(100);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const bigger = await inviteToQrPng(blob, { boxSize: 12 });
    expect(bigger.readUInt32BE(16)).toBeGreaterThan(png.readUInt32BE(16)); // IHDR width grows with box size
    expect(decodeInvite(encodeInvite(blob), { now: NOW })).toEqual(blob);
  });
});
