import { describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from '../../../src-main/common';
import { signedRequestBytes, type SignedRequestFields } from '../../../src-main/runtime/transport/request-signing';

const base: SignedRequestFields = {
  method: 'post',
  path: '/bus/v1/call',
  node: 'n'.repeat(52),
  to: 't'.repeat(52),
  ts: 1_764_000_000_123,
  nonce: 'AbCdEfGhIjKlMnOpQrStUv',
  body_sha256: 'ab'.repeat(32),
};

describe('signedRequestBytes (hand-written canonical form)', () => {
  const canonical = (f: SignedRequestFields) =>
    canonicalJsonBytes({
      method: f.method.toUpperCase(),
      path: f.path,
      node: f.node,
      to: f.to,
      ts: f.ts,
      nonce: f.nonce,
      body_sha256: f.body_sha256,
    });
  it.each([
    ['plain', base],
    [
      'query, quotes, unicode, lone surrogate',
      { ...base, path: '/pubsub/v1/subscribe?topic="é\\n\u2028😀\ud800"&x=1' },
    ],
    ['ts 0', { ...base, ts: 0 }],
    ['control characters', { ...base, nonce: '\u0000\u001f\t' }],
  ])('is byte-identical to canonicalJsonBytes: %s', (_n, f) => {
    expect(Buffer.from(signedRequestBytes(f)).toString('hex')).toBe(Buffer.from(canonical(f)).toString('hex'));
  });
  it('rejects what canonicalJson rejects (non-finite ts)', () => {
    expect(() => signedRequestBytes({ ...base, ts: NaN })).toThrow();
    expect(Buffer.from(signedRequestBytes({ ...base, ts: 1.5 })).toString()).toBe(
      Buffer.from(canonical({ ...base, ts: 1.5 })).toString(),
    );
  });
});
