/**
 * Fuzz: join codes (issue 11: the short link and its QR code) and the inviter's answer to a join
 * request. Arbitrary and mutated codes get only `join_code_invalid`; arbitrary request bodies get
 * bad_request or a named refusal and never use up the household's open code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/runtime/identity';
import {
  answerJoinRequest,
  decodeJoinCode,
  encodeJoinCode,
  JoinCodeBook,
  joinCodeId,
  joinProof,
  makeInvite,
} from '../../src-main/runtime/onboarding';
import { budget, expectOnly, expectOnlyAsync, mutated } from './budget';

const inviter = generateKeyPair();
const joiner = generateKeyPair();
const code = {
  inviter: inviter.nodeIdFull,
  secret: 'AAAAAAAAAAAAAAAAAAAAAA',
  expiresAt: Math.floor(Date.now() / 1000) + 900,
  addresses: [
    { host: '192.168.1.20', port: 7080 },
    { host: 'fe80::1', port: 7080 },
  ],
};
const valid = encodeJoinCode(code);

describe('fuzz: join code decoder', () => {
  it('the valid code decodes (the baseline)', () => {
    expect(decodeJoinCode(`Join us: ${valid} (valid 15 min)`)).toEqual(code);
  });

  it('arbitrary and mutated text: join_code_invalid or a well-formed code', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      mutated(valid),
      fc.string({ maxLength: 200 }).map((s) => `hearthnet://join/v1?${s}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        const c = expectOnly(['join_code_invalid'], () => decodeJoinCode(t));
        if (c) {
          expect(c.inviter).toMatch(/^ed25519:/);
          expect(c.addresses.length).toBeGreaterThan(0);
          for (const a of c.addresses) expect(a.port).toBeGreaterThan(0);
        }
      }),
      budget(),
    );
  });
});

describe("fuzz: the inviter's answer to a join request", () => {
  it('arbitrary bodies: bad_request or a named refusal; the open code is never used up', async () => {
    const book = new JoinCodeBook();
    const open = book.open('member', 900);
    const issue = (invitee: string) =>
      Promise.resolve(
        makeInvite({
          invitee,
          inviterKp: inviter,
          community: { community_id: inviter.nodeIdFull, name: 'Elm Street' },
          bootstrapEndpoints: [],
        }),
      );
    const body = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })),
      fc.record(
        {
          code_id: fc.oneof(fc.string({ maxLength: 60 }), fc.constant(open.id), fc.integer()),
          proof: fc.oneof(
            fc.string({ maxLength: 80 }),
            mutated(joinProof(open.secret, inviter.nodeIdFull, joiner.nodeIdFull)),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const r = await expectOnlyAsync(['bad_request'], () =>
          answerJoinRequest(joiner.nodeIdFull, b as Record<string, unknown>, { book, kp: inviter, issue }),
        );
        if (r)
          expect('refused' in r ? r.refused : 'an invite').toMatch(
            /^join_code_unknown$|^join_code_used$|^join_code_expired$/,
          );
        expect(open.usedBy).toBeNull();
      }),
      budget(),
    );
    // The genuine request still works once.
    const r = await answerJoinRequest(
      joiner.nodeIdFull,
      { code_id: joinCodeId(open.secret), proof: joinProof(open.secret, inviter.nodeIdFull, joiner.nodeIdFull) },
      { book, kp: inviter, issue },
    );
    expect('invite' in r).toBe(true);
  });
});
