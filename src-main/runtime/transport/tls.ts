/** The node's TLS certificate (§4 of ../shared/spec/hearthnet-reference.md tls.py): self-signed, pinned by peers per node id. */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from '../identity';
import { derToPem, selfSignedCertDer } from './x509-der';
import { IdentityError } from '../identity';

/** Validity of a fresh certificate: ten years (rotation is by a newer signed manifest, not expiry). */
export const TLS_CERT_VALIDITY_DAYS = 3650;
export const TLS_CERT_FILE = 'tls.crt';
export const TLS_KEY_FILE = 'tls.key';

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  /** `sha256:<hex>` of the DER certificate: what the signed node manifest announces. */
  readonly fingerprint: string;
}

const isPosix = process.platform !== 'win32';

/** `sha256:<hex>` of DER bytes. */
export function fingerprintOfDer(der: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(der).digest('hex');
}

/** `sha256:<hex>` of a PEM certificate. */
export function fingerprintOfPem(certPem: string): string {
  return fingerprintOfDer(new X509Certificate(certPem).raw);
}

/**
 * A fresh ECDSA P-256 TLS key and a 10-year self-signed certificate naming the node. ECDSA rather
 * than Ed25519: every TLS stack accepts it (docs/decisions/transport.md). The ed25519 identity key
 * is never used for TLS; the binding is the fingerprint inside the signed node manifest.
 */
export function generateSelfSignedCert(kp: KeyPair, now: Date = new Date()): TlsMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = selfSignedCertDer({
    commonName: `hearthnet ${kp.nodeIdShort}`,
    serial: randomBytes(16),
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + TLS_CERT_VALIDITY_DAYS * 86_400_000),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
    privateKey,
  });
  return {
    certPem: derToPem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    fingerprint: fingerprintOfDer(der),
  };
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  if (isPosix) chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/**
 * The node's certificate from `<dir>/tls.crt` + `<dir>/tls.key` (0600), created on first run.
 * A certificate is made once per node: peers pin it, so changing it needs a new signed manifest.
 */
export function loadOrCreateTlsCert(dir: string, kp: KeyPair): TlsMaterial {
  const certPath = join(dir, TLS_CERT_FILE);
  const keyPath = join(dir, TLS_KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    try {
      const certPem = readFileSync(certPath, 'utf8');
      const keyPem = readFileSync(keyPath, 'utf8');
      return { certPem, keyPem, fingerprint: fingerprintOfPem(certPem) };
    } catch (err) {
      throw new IdentityError(
        'keys_invalid',
        `the TLS certificate in ${dir} cannot be read; move ${certPath} and ${keyPath} aside to make a new one`,
        { cause: err },
      );
    }
  }
  const material = generateSelfSignedCert(kp);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomic(keyPath, material.keyPem, 0o600);
  writeAtomic(certPath, material.certPem, 0o644);
  return material;
}
