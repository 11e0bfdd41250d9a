/**
 * Fuzz: invites (link, pasted text, file contents; a QR code carries the same text). Arbitrary and
 * mutated-valid inputs never crash and get only the documented OnboardingError codes; no edit of a
 * valid invite is accepted as another valid invite.
 * Join codes (issue 11) are fuzzed in join-codes.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/runtime/identity';
import { decodeInvite, encodeInvite, makeInvite } from '../../src-main/runtime/onboarding';
import { budget, expectOnly, mutated } from './budget';

const CODES = ['invite_invalid', 'invite_expired', 'invitee_mismatch'];
const inviter = generateKeyPair();
const invitee = generateKeyPair();
const valid = encodeInvite(
  makeInvite({
    invitee: invitee.nodeIdFull,
    inviterKp: inviter,
    community: { community_id: inviter.nodeIdFull, name: 'Elm Street' },
    bootstrapEndpoints: [{ transport: 'https', host: '192.168.1.20', port: 7080 }],
  }),
);

describe('fuzz: invite decoder', () => {
  it('the valid invite decodes (the baseline the mutations start from)', () => {
    expect(decodeInvite(valid, { ourNodeId: invitee.nodeIdFull }).invitee_node_id).toBe(invitee.nodeIdFull);
  });

  it('arbitrary text: only documented errors', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.string({ maxLength: 400 }).map((s) => `hearthnet://v1/${s}`),
      fc.base64String({ maxLength: 600 }).map((s) => `hearthnet://v1/${s}`),
    );
    fc.assert(
      fc.property(text, (t) => void expectOnly(CODES, () => decodeInvite(t, { ourNodeId: invitee.nodeIdFull }))),
      budget(),
    );
  });

  it('mutated valid invites: only documented errors, and never a different invite accepted', () => {
    fc.assert(
      fc.property(mutated(valid), (t) => {
        const blob = expectOnly(CODES, () => decodeInvite(t, { ourNodeId: invitee.nodeIdFull }));
        // An edit that still decodes may only be one the encoding ignores (e.g. whitespace): same invite.
        if (blob) expect(encodeInvite(blob)).toBe(valid);
      }),
      budget(),
    );
  });

  it('arbitrary JSON in the invite envelope: only documented errors', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
        const t = `hearthnet://v1/${Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')}`;
        expectOnly(CODES, () => decodeInvite(t, { ourNodeId: invitee.nodeIdFull }));
      }),
      budget(),
    );
  });
});
