/** The node's TLS certificate (§4 of ../shared/spec/hearthnet-reference.md tls.py): self-signed, pinned by peers per node id. */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from '../identity';
import { derToPem, selfSignedCertDer } from './certificate';
import { IdentityError } from '../identity';
import { ConfigError } from '../config';

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

/** The `[transport]` keys that choose the node's own certificate (config.toml). */
export interface TlsFiles {
  readonly tls_cert: string | null;
  readonly tls_key: string | null;
}

function readPem(path: string, key: 'transport.tls_cert' | 'transport.tls_key'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError('config_invalid', `${key}: ${path} cannot be read (${code})`, {
      cause: err,
      details: { key, file: path },
    });
  }
}

/**
 * The certificate the node serves: `transport.tls_cert` + `transport.tls_key` when set (PEM files;
 * any key type TLS accepts), otherwise the generated one in `dir`. Peers pin whatever this returns
 * through `fingerprint` in the signed node manifest, so a user certificate needs no CA and
 * pinning works the same (docs/config.md). A file that cannot be read, is not a PEM certificate
 * or key, or a key that does not match the certificate is ConfigError `config_invalid` naming the key.
 */
export function loadNodeTls(files: TlsFiles, dir: string, kp: KeyPair): TlsMaterial {
  if (files.tls_cert === null || files.tls_key === null) return loadOrCreateTlsCert(dir, kp);
  const certPem = readPem(files.tls_cert, 'transport.tls_cert');
  const keyPem = readPem(files.tls_key, 'transport.tls_key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new ConfigError('config_invalid', `transport.tls_cert: ${files.tls_cert} is not a PEM certificate`, {
      cause: err,
      details: { key: 'transport.tls_cert', file: files.tls_cert },
    });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new ConfigError('config_invalid', `transport.tls_key: ${files.tls_key} is not a PEM private key`, {
      cause: err,
      details: { key: 'transport.tls_key', file: files.tls_key },
    });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new ConfigError(
      'config_invalid',
      `transport.tls_key: ${files.tls_key} is not the private key of the certificate ${files.tls_cert}`,
      { details: { key: 'transport.tls_key', file: files.tls_key } },
    );
  }
  return { certPem, keyPem, fingerprint: fingerprintOfDer(cert.raw) };
}
