/** The package version and the app's root folder, found from sources, the CLI, or the bundled app. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this module holding HearthNet's package.json. */
function findAppRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hearthnet') return dir;
      } catch {
        /* not ours; keep looking */
      }
    }
    dir = dirname(dir);
  }
  return null;
}

export const APP_ROOT = findAppRoot();

function readVersion(): string {
  if (!APP_ROOT) return '0.0.0';
  try {
    return (
      (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

export const PACKAGE_VERSION = readVersion();
/** The capability contract version this node speaks (node manifests carry it). */
export const CONTRACT_VERSION = '1.0';
