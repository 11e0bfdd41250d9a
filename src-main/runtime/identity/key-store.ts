/** Keys on disk (§5 of ../shared/spec/hearthnet-reference.md): `<keys_dir>/node.key` (base64url seed, 0600) in a 0700 folder. */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64Url, toBase64Url } from './node-id';
import { generateKeyPair, keyPairFromSeed, type KeyPair } from './keys';
import { IdentityError } from './errors';

export const SECRET_KEY_FILE = 'node.key';
export const PUBLIC_KEY_FILE = 'node.pub';

const isPosix = process.platform !== 'win32';

export function loadKeyPair(keysDir: string): KeyPair {
  const secretPath = join(keysDir, SECRET_KEY_FILE);
  if (!existsSync(secretPath)) {
    throw new IdentityError('keys_missing', `no identity key at ${secretPath}`, { details: { path: secretPath } });
  }
  if (isPosix && (statSync(secretPath).mode & 0o077) !== 0) {
    throw new IdentityError(
      'keys_permissions',
      `${secretPath} is readable by other users; run: chmod 600 "${secretPath}"`,
      {
        details: { path: secretPath, mode: (statSync(secretPath).mode & 0o777).toString(8) },
      },
    );
  }
  let kp: KeyPair;
  try {
    kp = keyPairFromSeed(fromBase64Url(readFileSync(secretPath, 'utf8').trim()));
  } catch (err) {
    throw new IdentityError('keys_invalid', `${secretPath} does not hold a valid ed25519 key`, {
      cause: err,
      details: { path: secretPath },
    });
  }
  const pubPath = join(keysDir, PUBLIC_KEY_FILE);
  if (existsSync(pubPath) && readFileSync(pubPath, 'utf8').trim() !== kp.nodeIdFull) {
    throw new IdentityError('keys_invalid', `${pubPath} does not match ${secretPath}`, { details: { path: pubPath } });
  }
  return kp;
}

/** Atomic write: a key file is either absent or complete, never half-written. */
export function saveKeyPair(kp: KeyPair, keysDir: string): void {
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  if (isPosix) chmodSync(keysDir, 0o700);
  const write = (name: string, text: string, mode: number) => {
    const tmp = join(keysDir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text + '\n', { mode });
    if (isPosix) chmodSync(tmp, mode);
    renameSync(tmp, join(keysDir, name));
  };
  write(SECRET_KEY_FILE, toBase64Url(kp.secretKey), 0o600);
  write(PUBLIC_KEY_FILE, kp.nodeIdFull, 0o600);
}

/** Load the node's keys, creating them on first run. Never overwrites an existing (even broken) key. */
export function loadOrGenerateKeyPair(keysDir: string): KeyPair {
  try {
    return loadKeyPair(keysDir);
  } catch (err) {
    if (!(err instanceof IdentityError) || err.code !== 'keys_missing') throw err;
  }
  const kp = generateKeyPair();
  saveKeyPair(kp, keysDir);
  return kp;
}
