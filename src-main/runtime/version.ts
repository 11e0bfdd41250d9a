/** The package version, read once from package.json (works from sources and from the packaged app). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const PACKAGE_VERSION = readVersion();
/** The capability contract version this node speaks (node manifests carry it). */
export const CONTRACT_VERSION = '1.0';
