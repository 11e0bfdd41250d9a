import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  keyPairFromSeed,
  loadKeyPair,
  loadOrGenerateKeyPair,
  parseNodeId,
  saveKeyPair,
  shortNodeId,
  signBytes,
  signBytesNoble,
  signPayload,
  verifyBytes,
  verifyBytesNoble,
  verifyPayload,
  SECRET_KEY_FILE,
} from '../../../src-main/runtime/identity';
import { IdentityError } from '../../../src-main/runtime/identity';

const made: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hn-keys-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('node ids', () => {
  it('have the reference forms', () => {
    const kp = generateKeyPair();
    expect(kp.nodeIdFull).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(kp.nodeIdShort).toMatch(/^ed25519:[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(parseNodeId(kp.nodeIdFull)).toEqual(kp.publicKey);
    expect(shortNodeId(kp.publicKey)).toBe(kp.nodeIdShort);
  });

  it('refuses short ids and garbage where a key is needed', () => {
    const kp = generateKeyPair();
    for (const bad of [kp.nodeIdShort, 'ed25519:', 'rsa:abc', 'ed25519:!!!', 'ed25519:' + 'A'.repeat(42)]) {
      expect(() => parseNodeId(bad)).toThrow(IdentityError);
    }
  });

  it('derive deterministically from the seed', () => {
    const seed = new Uint8Array(32).fill(7);
    expect(keyPairFromSeed(seed).nodeIdFull).toBe(keyPairFromSeed(seed).nodeIdFull);
  });
});

describe('signatures', () => {
  it('node:crypto and @noble/curves give byte-identical signatures and accept each other', () => {
    for (let i = 0; i < 20; i++) {
      const kp = generateKeyPair();
      const msg = new TextEncoder().encode(`message ${i} ${'x'.repeat(i * 13)}`);
      const a = signBytes(kp, msg);
      expect(signBytesNoble(kp, msg)).toBe(a);
      expect(verifyBytes(kp.nodeIdFull, msg, a)).toBe(true);
      expect(verifyBytesNoble(kp.nodeIdFull, msg, a)).toBe(true);
    }
  });

  it('signPayload/verifyPayload cover every field but the signature', () => {
    const kp = generateKeyPair();
    const signed = signPayload({ b: 2, a: { x: [1, 2] } }, kp);
    expect(signed.signature).toMatch(/^ed25519:/);
    expect(verifyPayload(signed, kp.nodeIdFull)).toBe(true);
    expect(verifyPayload({ ...signed, b: 3 }, kp.nodeIdFull)).toBe(false);
    expect(verifyPayload(signed, generateKeyPair().nodeIdFull)).toBe(false);
    expect(verifyPayload({ ...signed, signature: 'ed25519:AAAA' }, kp.nodeIdFull)).toBe(false);
    expect(verifyPayload({ ...signed, signature: undefined as unknown as string }, kp.nodeIdFull)).toBe(false);
  });
});

describe('key store', () => {
  it('saves 0600 keys in a 0700 folder and loads them back', () => {
    const dir = join(tmp(), 'keys');
    const kp = loadOrGenerateKeyPair(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadKeyPair(dir).nodeIdFull).toBe(kp.nodeIdFull);
    expect(loadOrGenerateKeyPair(dir).nodeIdFull).toBe(kp.nodeIdFull);
  });

  it('reports keys_missing, keys_permissions and keys_invalid, and never overwrites a broken key', () => {
    const dir = tmp();
    expect(() => loadKeyPair(dir)).toThrow(expect.objectContaining({ code: 'keys_missing' }));
    saveKeyPair(generateKeyPair(), dir);
    const secret = join(dir, SECRET_KEY_FILE);
    chmodSync(secret, 0o644);
    expect(() => loadKeyPair(dir)).toThrow(expect.objectContaining({ code: 'keys_permissions' }));
    writeFileSync(secret, 'not a key', { mode: 0o600 });
    chmodSync(secret, 0o600);
    expect(() => loadKeyPair(dir)).toThrow(expect.objectContaining({ code: 'keys_invalid' }));
    expect(() => loadOrGenerateKeyPair(dir)).toThrow(expect.objectContaining({ code: 'keys_invalid' }));
    expect(readFileSync(secret, 'utf8')).toBe('not a key');
  });
});
