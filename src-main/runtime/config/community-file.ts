/** The community manifest a node keeps on disk (`<state>/community.json`), written atomically. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseCommunityManifest, type CommunityManifest } from '../identity';

export function writeCommunityManifest(path: string, manifest: CommunityManifest): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** The stored root-signed community manifest, or null when there is none (or it is unreadable). */
export function readCommunityManifest(path: string): CommunityManifest | null {
  if (!existsSync(path)) return null;
  try {
    return parseCommunityManifest(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function readCommunityName(path: string): string | null {
  return readCommunityManifest(path)?.name ?? null;
}
