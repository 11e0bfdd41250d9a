import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { fingerprintOfDer, generateSelfSignedCert, loadOrCreateTlsCert } from '../../../src-main/runtime/transport';
import { selfSignedCertDer } from '../../../src-main/runtime/transport/certificate';

/** tls.crt + tls.key made by the hand-written DER builder this session replaced (tag `before-seams`). */
const OLD_HOME = join(import.meta.dirname, '../../fixtures/tls-home');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('certificates across the switch to @peculiar/asn1-x509', () => {
  it('a node home made before keeps its certificate and so its pin (sha256 of the same DER)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hn-tls-old-'));
    dirs.push(dir);
    cpSync(OLD_HOME, dir, { recursive: true });
    const pem = readFileSync(join(OLD_HOME, 'tls.crt'), 'utf8');
    const loaded = loadOrCreateTlsCert(dir, generateKeyPair());
    expect(loaded.certPem).toBe(pem);
    expect(loaded.fingerprint).toBe(fingerprintOfDer(new X509Certificate(pem).raw));
    expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toBe(pem); // not rewritten
  });

  it('a fresh certificate has the same shape as the old ones: v3, ECDSA-SHA256, CN only, end entity', () => {
    const old = new X509Certificate(readFileSync(join(OLD_HOME, 'tls.crt'), 'utf8'));
    const fresh = new X509Certificate(generateSelfSignedCert(generateKeyPair()).certPem);
    for (const c of [old, fresh]) {
      expect(c.subject).toMatch(/^CN=hearthnet ed25519:/);
      expect(c.issuer).toBe(c.subject);
      expect(c.ca).toBe(false);
      expect(c.verify(c.publicKey)).toBe(true);
      expect(c.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(fresh.toLegacyObject().asn1Curve).toBe(old.toLegacyObject().asn1Curve);
  });

  it('any random serial gives a certificate OpenSSL accepts (DER INTEGER without padding)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
    // Leading zeros were written as they came (1 in 512 random serials): OpenSSL refused the certificate.
    const cases: [number[], string][] = [
      [[0, 1, 2, 3], '010203'],
      [[0, 0, 0x90, 2], '9002'],
      [[0x90, 1], '9001'],
      [[0, 0, 0], '00'],
      [[0x7f], '7F'],
    ];
    for (const [serial, hex] of cases) {
      const der = selfSignedCertDer({
        commonName: 'hearthnet test',
        serial: Uint8Array.from(serial),
        notBefore: new Date(0),
        notAfter: new Date(2_000_000_000_000),
        spkiDer,
        privateKey,
      });
      expect(new X509Certificate(der).serialNumber.replace(/^0+(?=.)/, '')).toBe(hex.replace(/^0+(?=.)/, ''));
    }
  });
});
