/** Join codes: text form, proof binding, and the inviter's book (single use, expiry on its own clock). */
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  decodeJoinCode,
  encodeJoinCode,
  JoinCodeBook,
  joinCodeId,
  joinProof,
  looksLikeJoinCode,
  MAX_JOIN_CODE_CHARS,
  newJoinSecret,
} from '../../../src-main/runtime/onboarding';
import { OnboardingError } from '../../../src-main/runtime/onboarding';

const inviter = generateKeyPair().nodeIdFull;
const joiner = generateKeyPair().nodeIdFull;
const other = generateKeyPair().nodeIdFull;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OnboardingError);
    return (err as OnboardingError).code;
  }
  throw new Error('expected OnboardingError');
}

describe('join code text', () => {
  it('round-trips, stays under the QR budget with many addresses, and is found inside a sentence', () => {
    const addresses = Array.from({ length: 8 }, (_, i) => ({ host: `192.168.100.${100 + i}`, port: 7443 }));
    const code = { inviter, secret: newJoinSecret(), expiresAt: 1_800_000_000, addresses };
    const text = encodeJoinCode(code);
    expect(text.length).toBeLessThanOrEqual(MAX_JOIN_CODE_CHARS);
    const back = decodeJoinCode(`scan this: ${text} thanks`);
    expect(back.inviter).toBe(inviter);
    expect(back.secret).toBe(code.secret);
    expect(back.expiresAt).toBe(1_800_000_000);
    expect(back.addresses[0]).toEqual({ host: '192.168.100.100', port: 7443 });
    expect(back.addresses.length).toBeGreaterThan(2);
    expect(looksLikeJoinCode(text)).toBe(true);
    expect(looksLikeJoinCode('hearthnet://v1/abc')).toBe(false);
  });

  it('refuses damaged text with join_code_invalid', () => {
    const text = encodeJoinCode({
      inviter,
      secret: newJoinSecret(),
      expiresAt: 1_800_000_000,
      addresses: [{ host: '10.0.0.2', port: 7443 }],
    });
    expect(codeOf(() => decodeJoinCode('hello'))).toBe('join_code_invalid');
    expect(codeOf(() => decodeJoinCode(text.replace(/s=[^&]+/, 's=short')))).toBe('join_code_invalid');
    expect(codeOf(() => decodeJoinCode(text.replace(/a=.*/, 'a=')))).toBe('join_code_invalid');
    expect(codeOf(() => decodeJoinCode(text.replace('7443', '99999')))).toBe('join_code_invalid');
    expect(codeOf(() => decodeJoinCode(text.replace('/v1?', '/v2?')))).toBe('join_code_invalid');
  });

  it('binds the proof to both node ids', () => {
    const s = newJoinSecret();
    expect(joinProof(s, inviter, joiner)).toBe(joinProof(s, inviter, joiner));
    expect(joinProof(s, inviter, joiner)).not.toBe(joinProof(s, inviter, other));
    expect(joinProof(s, inviter, joiner)).not.toBe(joinProof(s, other, joiner));
    expect(joinCodeId(s)).not.toContain(s);
  });
});

describe("the inviter's book of join codes", () => {
  it('lets one household in once, before expiry, with a matching proof', () => {
    let now = 1_000_000;
    const book = new JoinCodeBook(() => now);
    const open = book.open('member', 60);
    const claim =
      (who: string, proof = joinProof(open.secret, inviter, who)) =>
      () =>
        book.claim(open.id, proof, inviter, who);
    expect(codeOf(claim(joiner, joinProof(open.secret, inviter, other)))).toBe('join_code_unknown');
    expect(codeOf(() => book.claim('nope', 'x', inviter, joiner))).toBe('join_code_unknown');
    expect(book.claim(open.id, joinProof(open.secret, inviter, joiner), inviter, joiner).usedBy).toBe(joiner);
    expect(codeOf(claim(other))).toBe('join_code_used');
    const late = book.open('trusted', 60);
    now += 60_000;
    expect(codeOf(() => book.claim(late.id, joinProof(late.secret, inviter, joiner), inviter, joiner))).toBe(
      'join_code_expired',
    );
  });
});
