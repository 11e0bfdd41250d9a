/**
 * `hearthnet init --restore FILE`: brings a backup (format.ts) back into a home that has no
 * identity yet. The keys are written first and must give the node id the backup names; the
 * settings get this machine's paths; every event is re-verified as it enters the new log (the same
 * checks as events from a neighbour), so a damaged or forged backup is refused, not half-trusted.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { canonicalJson } from '../../common';
import { configFromToml, resolvePaths, saveConfig, type Config, type Env } from '../config';
import { parseTomlText } from '../config/load';
import { loadKeyPair, parseCommunityManifest, SECRET_KEY_FILE, type CommunityManifest } from '../identity';
import { openCommunity } from '../node/community-context';
import { writeCommunityManifest } from '../config/community-file';
import { nodeFiles } from '../config/node-paths';
import { backupProblem, MAX_BACKUP_BYTES, type Backup } from './format';
import { ConfigError } from '../config';

export class RestoreError extends ConfigError {}

export function readBackupFile(file: string): Backup {
  if (!existsSync(file)) throw new RestoreError('config_invalid', `${file} does not exist`);
  if (statSync(file).size > MAX_BACKUP_BYTES)
    throw new RestoreError('config_invalid', `${file} is larger than any HearthNet backup can be`);
  let doc: unknown;
  try {
    doc = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
  } catch {
    throw new RestoreError(
      'config_invalid',
      `${file} is not a HearthNet backup (it does not unpack as one); was it made with \`hearthnet export\`?`,
    );
  }
  const problem = backupProblem(doc);
  if (problem) throw new RestoreError('config_invalid', `${file} is not a HearthNet backup we can restore: ${problem}`);
  return doc as Backup;
}

/** The backup's community manifest, checked like one from a neighbour (a damaged one names its field). */
function restoredManifest(manifest: Record<string, unknown>): CommunityManifest {
  try {
    return parseCommunityManifest(manifest);
  } catch (err) {
    throw new RestoreError(
      'config_invalid',
      `the community manifest in this backup is damaged: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

export interface RestoreSummary {
  readonly node_id: string;
  readonly display_name: string;
  readonly community: { readonly id: string; readonly events: number } | null;
  readonly pinned_files: number;
  readonly config_file: string;
}

/**
 * Restores `backup` into the home that `configFile` and `env` name. Refuses when that home already
 * has an identity (erase it first, or pick another HEARTHNET_HOME). On failure, what was written is removed.
 */
export function restoreBackup(backup: Backup, configFile: string, env: Env): RestoreSummary {
  const restored = configFromToml(parseTomlText(backup.config_toml, '(backup)'), configFile);
  const config: Config = resolvePaths(restored, { env, baseDir: dirname(configFile) });
  const keysDir = config.identity.keys_dir;
  if (existsSync(join(keysDir, SECRET_KEY_FILE)) || (existsSync(keysDir) && loadableIdentity(keysDir))) {
    throw new RestoreError(
      'config_invalid',
      `this home already has an identity (${keysDir}); restore into a fresh home, or run \`hearthnet erase --yes\` first`,
    );
  }
  const written: string[] = [];
  try {
    for (const k of backup.keys) {
      const target = join(keysDir, ...k.path.split('/'));
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(target, Buffer.from(k.data_base64, 'base64'), { mode: 0o600 });
      written.push(target);
    }
    const kp = loadKeyPair(keysDir);
    if (kp.nodeIdFull !== backup.node_id)
      throw new RestoreError(
        'config_invalid',
        'the keys in this backup do not match the node id it names: the file is damaged',
      );

    const files = nodeFiles(config);
    let community: RestoreSummary['community'] = null;
    if (backup.community) {
      if (existsSync(files.eventLog))
        throw new RestoreError('config_invalid', `${files.eventLog} already exists; restore into a fresh home`);
      written.push(files.eventLog, `${files.eventLog}-wal`, `${files.eventLog}-shm`);
      const ctx = openCommunity({ dbPath: files.eventLog, communityId: backup.community.id });
      try {
        const result = ctx.log.appendReceivedBatch(backup.community.events);
        if (result.rejected.length > 0) {
          const first = result.rejected[0];
          throw new RestoreError(
            'config_invalid',
            `${result.rejected.length} event(s) in the backup failed verification (first: ${first.event_id}: ${first.message}); nothing was restored`,
          );
        }
        community = { id: backup.community.id, events: ctx.log.count() };
      } finally {
        ctx.close();
      }
      if (backup.community.manifest) {
        writeCommunityManifest(files.communityManifest, restoredManifest(backup.community.manifest));
        written.push(files.communityManifest);
      }
    }
    if (backup.known_peers !== null) {
      mkdirSync(dirname(files.knownPeers), { recursive: true, mode: 0o700 });
      writeFileSync(files.knownPeers, JSON.stringify(backup.known_peers, null, 2) + '\n', { mode: 0o600 });
      written.push(files.knownPeers);
    }
    restorePinnedFiles(config.file.blobs_dir, backup.pinned_files, written);
    saveConfig(
      {
        ...restored,
        community: { ...restored.community, community_id: community?.id ?? restored.community.community_id },
      },
      configFile,
      { env },
    );
    return {
      node_id: kp.nodeIdFull,
      display_name: restored.node.display_name,
      community,
      pinned_files: backup.pinned_files.cids.length,
      config_file: configFile,
    };
  } catch (err) {
    for (const p of written) rmSync(p, { force: true });
    throw err;
  }
}

function loadableIdentity(keysDir: string): boolean {
  try {
    loadKeyPair(keysDir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins come back with their manifests as unfinished transfers (blobs/partial/): the node knows what
 * it had pinned and what each file is; the bytes come again from the neighbours that hold them.
 */
function restorePinnedFiles(blobsDir: string, pinned: Backup['pinned_files'], written: string[]): void {
  if (pinned.cids.length === 0) return;
  const partial = join(blobsDir, 'partial');
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  for (const m of pinned.manifests) {
    const cid = typeof m.cid === 'string' ? m.cid : null;
    if (!cid || !pinned.cids.includes(cid) || !/^[a-z0-9]+:[0-9a-f]{64}$/.test(cid)) continue;
    const target = join(partial, `${cid.slice(cid.indexOf(':') + 1)}.json`);
    writeFileSync(target, canonicalJson(m), { mode: 0o600 });
    written.push(target);
  }
  const pins = join(blobsDir, 'pins.json');
  writeFileSync(pins, canonicalJson([...pinned.cids].sort()), { mode: 0o600 });
  written.push(pins);
}
