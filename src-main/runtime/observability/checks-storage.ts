/** Standard doctor checks about files on this machine: keys, community, event log, disk space. */
import { existsSync, mkdirSync, rmSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { resolvePaths } from '../config';
import { loadKeyPair, SECRET_KEY_FILE } from '../identity';
import type { Check, DoctorContext } from './doctor';
import { IdentityError } from '../identity';

const GIB = 1024 ** 3;
/** disk_space fails below this much free space under the state folder. */
export const DISK_MIN_FREE_BYTES = GIB;
/** ...or below this fraction of the disk free. */
export const DISK_MIN_FREE_RATIO = 0.05;

const INIT_FIX = "Run `hearthnet init` (or open the HearthNet app) to create your household's identity.";

function paths(ctx: DoctorContext) {
  return resolvePaths(ctx.config, { env: ctx.env });
}

export const keysPresent: Check = (ctx) => {
  const file = join(paths(ctx).identity.keys_dir, SECRET_KEY_FILE);
  return existsSync(file)
    ? { ok: true, detail: `identity key found at ${file}` }
    : { ok: false, detail: `no identity key at ${file}`, fix: INIT_FIX };
};

export const keysLoadable: Check = (ctx) => {
  const dir = paths(ctx).identity.keys_dir;
  try {
    const kp = loadKeyPair(dir);
    return { ok: true, detail: `identity ${kp.nodeIdShort} loads` };
  } catch (err) {
    if (!(err instanceof IdentityError)) throw err;
    const fix =
      err.code === 'keys_missing'
        ? INIT_FIX
        : err.code === 'keys_permissions'
          ? `Only you should be able to read your key. In a terminal run: chmod 600 "${join(dir, SECRET_KEY_FILE)}"`
          : `The key file is damaged. Restore the "keys" folder from your backup (HearthNet never overwrites it). Without a backup, move the folder away and run \`hearthnet init\` to start a new identity; neighbours will need to invite you again.`;
    return { ok: false, detail: err.message, fix };
  }
};

export const communityPresent: Check = (ctx) => {
  const id = ctx.config.community.community_id;
  if (id) return { ok: true, detail: `member of community ${id}` };
  const name = ctx.communityName?.() ?? null;
  if (name) return { ok: true, detail: `member of community "${name}"` };
  return {
    ok: false,
    detail: 'this node has not joined or created a community yet',
    fix: 'Open HearthNet and either create a community for your neighbourhood or scan an invite QR code from a neighbour (or run `hearthnet invite redeem`).',
  };
};

export const eventLogWritable: Check = (ctx) => {
  const dir = paths(ctx).community.state_dir;
  const file = join(dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}.sqlite`);
  try {
    mkdirSync(dir, { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (v TEXT)');
      db.prepare('INSERT INTO t (v) VALUES (?)').run('doctor');
      const row = db.prepare('SELECT v FROM t').get() as { v: string } | undefined;
      if (row?.v !== 'doctor')
        return {
          ok: false,
          detail: `wrote to ${file} but could not read it back`,
          fix: 'Your disk may be failing; back up the HearthNet folder and check the disk.',
        };
    } finally {
      db.close();
    }
    return { ok: true, detail: `can write a database in ${dir}` };
  } catch (err) {
    return {
      ok: false,
      detail: `cannot write a database in ${dir}: ${err instanceof Error ? err.message : String(err)}`,
      fix: `Make sure the folder ${dir} exists, belongs to you and the disk is not full or read-only.`,
    };
  } finally {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      try {
        rmSync(f, { force: true });
      } catch {
        // The folder is unusable (the failure already reported above); nothing was created.
      }
    }
  }
};

/** Nearest existing folder at or above `p` (the state folder may not exist before first run). */
function existingAncestor(p: string): string {
  let cur = p;
  while (!existsSync(cur) && dirname(cur) !== cur) cur = dirname(cur);
  return cur;
}

export interface DiskSpaceOptions {
  readonly minFreeBytes?: number;
  readonly minFreeRatio?: number;
}

export function diskSpaceCheck(opts: DiskSpaceOptions = {}): Check {
  const minBytes = opts.minFreeBytes ?? DISK_MIN_FREE_BYTES;
  const minRatio = opts.minFreeRatio ?? DISK_MIN_FREE_RATIO;
  return (ctx) => {
    const dir = existingAncestor(paths(ctx).community.state_dir);
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const total = s.blocks * s.bsize;
    const ratio = total > 0 ? free / total : 0;
    const detail = `${(free / GIB).toFixed(1)} GiB free (${(ratio * 100).toFixed(0)}%) on the disk holding ${dir}`;
    if (free < minBytes || ratio < minRatio) {
      return {
        ok: false,
        detail,
        fix: `Free up space: HearthNet needs at least ${(minBytes / GIB).toFixed(1)} GiB and ${(minRatio * 100).toFixed(0)}% of the disk free. Delete files you no longer need or empty the trash.`,
      };
    }
    return { ok: true, detail };
  };
}
