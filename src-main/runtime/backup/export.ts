/** `hearthnet export`: gathers a restorable backup of one node's home (format.ts). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { configToToml, defaultConfig, type Config } from '../config';
import { loadKeyPair } from '../identity';
import { openCommunity } from '../node/community-context';
import { readCommunityManifest } from '../config/community-file';
import { nodeFiles } from '../config/node-paths';
import { BACKUP_FORMAT, BACKUP_VERSION, type Backup } from './format';

/** The settings without any machine-specific path: each is left to derive from the new home. */
export function portableConfig(config: Config): Config {
  const blank = defaultConfig();
  return {
    ...config,
    node: { ...config.node, models_dir: blank.node.models_dir },
    identity: { ...config.identity, keys_dir: blank.identity.keys_dir },
    community: { ...config.community, state_dir: blank.community.state_dir },
    rag: { ...config.rag, corpora_dir: blank.rag.corpora_dir },
    file: { ...config.file, blobs_dir: blank.file.blobs_dir },
    observability: { ...config.observability, log_dir: blank.observability.log_dir },
    transport: { ...config.transport, tls_cert: blank.transport.tls_cert, tls_key: blank.transport.tls_key },
  };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile() && !name.endsWith('.tmp')) out.push(p);
  }
  return out;
}

function readJson(path: string): unknown {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : null;
}

function pinnedFiles(blobsDir: string): Backup['pinned_files'] {
  const cids = (readJson(join(blobsDir, 'pins.json')) as string[] | null) ?? [];
  const manifests: Array<Record<string, unknown>> = [];
  for (const cid of cids) {
    const hex = cid.slice(cid.indexOf(':') + 1);
    for (const folder of ['manifests', 'partial']) {
      const m = readJson(join(blobsDir, folder, `${hex}.json`));
      if (m && typeof m === 'object') {
        manifests.push(m as Record<string, unknown>);
        break;
      }
    }
  }
  return { cids, manifests };
}

export interface ExportSummary {
  readonly node_id: string;
  readonly events: number;
  readonly pinned_files: number;
  readonly bytes: number;
}

/** Builds the backup of the node whose resolved config is `config`. Throws when there is no identity. */
export function buildBackup(config: Config, now = new Date()): Backup {
  const kp = loadKeyPair(config.identity.keys_dir);
  const files = nodeFiles(config);
  const keys = filesUnder(config.identity.keys_dir).map((p) => ({
    path: relative(config.identity.keys_dir, p).split(sep).join('/'),
    data_base64: readFileSync(p).toString('base64'),
  }));
  let community: Backup['community'] = null;
  const communityId = config.community.community_id;
  if (communityId && existsSync(files.eventLog)) {
    const ctx = openCommunity({ dbPath: files.eventLog, communityId });
    try {
      community = {
        id: communityId,
        manifest: readCommunityManifest(files.communityManifest),
        events: [...ctx.log.replay()],
      };
    } finally {
      ctx.close();
    }
  }
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created_at: now.toISOString(),
    node_id: kp.nodeIdFull,
    display_name: config.node.display_name,
    config_toml: configToToml(portableConfig(config)),
    keys,
    community,
    known_peers: readJson(files.knownPeers),
    pinned_files: pinnedFiles(config.file.blobs_dir),
  };
}

export function encodeBackup(backup: Backup): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(backup), 'utf8'));
}

export function summarise(backup: Backup, bytes: number): ExportSummary {
  return {
    node_id: backup.node_id,
    events: backup.community?.events.length ?? 0,
    pinned_files: backup.pinned_files.cids.length,
    bytes,
  };
}
