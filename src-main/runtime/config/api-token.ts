/**
 * The local API token, kept in `<state>/api-token` (0600) so it survives restarts: bookmarks
 * (`http://127.0.0.1:<port>/#token=...`) and OpenAI-client keys keep working. Delete the file to
 * change it (every page and client then needs the new one).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/** Reads the stored token, or makes one (24 random bytes, base64url) and stores it. */
export function loadOrCreateApiToken(path: string): string {
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8').trim();
    if (TOKEN_SHAPE.test(text)) {
      chmodSync(path, 0o600); // someone may have loosened it; the token is a password
      return text;
    }
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return token;
}
