import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  issueToken,
  signPayload,
  verifyToken,
  type CapabilityToken,
} from '../../../src-main/runtime/identity';
import { IdentityError } from '../../../src-main/runtime/identity';

const NOW = new Date('2026-05-26T08:00:00Z');
const issuer = generateKeyPair();
const subject = generateKeyPair();

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return (err as IdentityError).code;
  }
  throw new Error('expected a throw');
}

describe('capability tokens', () => {
  it('issue a signed one-day token that verifies for its subject and capability', () => {
    const t = issueToken(issuer, subject.nodeIdFull, 'llm.chat@1.0', undefined, NOW);
    expect(t.issued_at).toBe('2026-05-26T08:00:00Z');
    expect(t.expires_at).toBe('2026-05-27T08:00:00Z');
    expect(t.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(issueToken(issuer, subject.nodeIdFull, 'llm.chat@1.0', undefined, NOW).nonce).not.toBe(t.nonce);
    expect(() =>
      verifyToken(t, issuer.nodeIdFull, { now: NOW, subject: subject.nodeIdFull, capability: 'llm.chat@1.0' }),
    ).not.toThrow();
  });

  it('refuses tampering and foreign signatures with invalid_signature', () => {
    const t = issueToken(issuer, subject.nodeIdFull, 'llm.chat', 60, NOW);
    expect(codeOf(() => verifyToken({ ...t, capability: 'rag.query' }, issuer.nodeIdFull, { now: NOW }))).toBe(
      'invalid_signature',
    );
    expect(
      codeOf(() =>
        verifyToken({ ...t, expires_at: '2099-01-01T00:00:00Z' } as CapabilityToken, issuer.nodeIdFull, { now: NOW }),
      ),
    ).toBe('invalid_signature');
    const { signature: _s, ...body } = t;
    const forged = signPayload(body as Record<string, unknown>, generateKeyPair()) as unknown as CapabilityToken;
    expect(codeOf(() => verifyToken(forged, issuer.nodeIdFull, { now: NOW }))).toBe('invalid_signature');
  });

  it('expires by the injected clock', () => {
    const t = issueToken(issuer, subject.nodeIdFull, 'llm.chat', 60, NOW);
    expect(() => verifyToken(t, issuer.nodeIdFull, { now: new Date(NOW.getTime() + 59_000) })).not.toThrow();
    expect(codeOf(() => verifyToken(t, issuer.nodeIdFull, { now: new Date(NOW.getTime() + 60_000) }))).toBe('expired');
  });

  it('refuses issuer, subject and capability mismatches and malformed tokens with verify_failed', () => {
    const t = issueToken(issuer, subject.nodeIdFull, 'llm.chat', 60, NOW);
    const other = generateKeyPair().nodeIdFull;
    expect(codeOf(() => verifyToken(t, other, { now: NOW }))).toBe('verify_failed');
    expect(codeOf(() => verifyToken(t, issuer.nodeIdFull, { now: NOW, subject: other }))).toBe('verify_failed');
    expect(codeOf(() => verifyToken(t, issuer.nodeIdFull, { now: NOW, capability: 'rag.query' }))).toBe(
      'verify_failed',
    );
    expect(
      codeOf(() =>
        verifyToken({ ...t, nonce: undefined } as unknown as CapabilityToken, issuer.nodeIdFull, { now: NOW }),
      ),
    ).toBe('verify_failed');
    expect(
      codeOf(() =>
        verifyToken({ ...t, subject: 'bob' } as unknown as CapabilityToken, issuer.nodeIdFull, { now: NOW }),
      ),
    ).toBe('verify_failed');
    expect(codeOf(() => verifyToken(null as unknown as CapabilityToken, issuer.nodeIdFull, { now: NOW }))).toBe(
      'verify_failed',
    );
    // Issued well in the future (issuer clock far ahead): refused, not silently trusted.
    const future = issueToken(issuer, subject.nodeIdFull, 'llm.chat', 86_400, new Date(NOW.getTime() + 3_600_000));
    expect(codeOf(() => verifyToken(future, issuer.nodeIdFull, { now: NOW }))).toBe('verify_failed');
    expect(codeOf(() => issueToken(issuer, subject.nodeIdFull, 'llm.chat', 0, NOW))).toBe('sign_failed');
  });
});
