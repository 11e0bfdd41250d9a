import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  fingerprintOfPem,
  generateSelfSignedCert,
  loadOrCreateTlsCert,
  TLS_KEY_FILE,
} from '../../../src-main/runtime/transport';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('tls certificate', () => {
  it('is a valid self-signed ECDSA P-256 certificate for ten years, fingerprinted sha256 of its DER', () => {
    const kp = generateKeyPair();
    const now = new Date('2026-05-26T08:00:00Z');
    const m = generateSelfSignedCert(kp, now);
    const cert = new X509Certificate(m.certPem);
    expect(cert.subject).toContain(kp.nodeIdShort);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(cert.validTo) - now.getTime()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(m.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.fingerprint.replace('sha256:', '')).toBe(cert.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(cert.checkPrivateKey(createPrivateKey(m.keyPem))).toBe(true);
  });

  it('two certificates of the same node differ (fresh TLS key each time)', () => {
    const kp = generateKeyPair();
    expect(generateSelfSignedCert(kp).fingerprint).not.toBe(generateSelfSignedCert(kp).fingerprint);
  });

  it('loadOrCreateTlsCert makes the certificate once, keeps the key 0600, and reloads the same one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hn-tls-'));
    dirs.push(dir);
    const kp = generateKeyPair();
    const first = loadOrCreateTlsCert(join(dir, 'tls'), kp);
    const second = loadOrCreateTlsCert(join(dir, 'tls'), kp);
    expect(second).toEqual(first);
    expect(fingerprintOfPem(second.certPem)).toBe(first.fingerprint);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'tls', TLS_KEY_FILE)).mode & 0o777).toBe(0o600);
  });
});
