/** Files a node keeps under its (resolved) config locations. One place, so CLI, node and doctor agree. */
import { join } from 'node:path';
import type { Config } from '.';

export interface NodeFiles {
  readonly eventLog: string;
  readonly communityManifest: string;
  readonly snapshots: string;
  readonly pinnedCerts: string;
  readonly knownPeers: string;
  readonly tlsDir: string;
  readonly runtime: string;
  /** The local API token (0600), stable across restarts. */
  readonly apiToken: string;
  /** Phones paired for LAN access (hashed device secrets, 0600). */
  readonly phones: string;
  /** Held (an OS file lock) while a node runs on this home: see run-lock.ts. */
  readonly lock: string;
}

export function nodeFiles(config: Config): NodeFiles {
  const state = config.community.state_dir;
  return {
    eventLog: join(state, 'events.db'),
    communityManifest: join(state, 'community.json'),
    snapshots: join(state, 'snapshots'),
    pinnedCerts: join(state, 'pinned-certs.db'),
    knownPeers: join(state, 'known-peers.json'),
    tlsDir: join(config.identity.keys_dir, 'tls'),
    runtime: join(state, 'runtime.json'),
    apiToken: join(state, 'api-token'),
    phones: join(state, 'phones.json'),
    lock: join(state, 'node.lock'),
  };
}
