/**
 * `<state>/runtime.json`: how later commands find the running node (ports, pid, local API token).
 * Written atomically with 0600 (it holds the token) when the node starts; removed when it stops.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RuntimeInfo {
  readonly pid: number;
  readonly node_id: string;
  readonly started_at: string;
  readonly transport_port: number;
  readonly api_host: string;
  readonly api_port: number;
  readonly api_token: string;
}

export function writeRuntimeFile(path: string, info: RuntimeInfo): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running node's info, or null when none runs (a file left by a crashed node is ignored). */
export function readRuntimeFile(path: string): RuntimeInfo | null {
  if (!existsSync(path)) return null;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as RuntimeInfo;
    if (typeof info.pid !== 'number' || typeof info.api_port !== 'number') return null;
    return processAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** Remove the file only if it is ours (another node may have started since). */
export function removeRuntimeFile(path: string, pid = process.pid): void {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as RuntimeInfo;
    if (info.pid === pid) rmSync(path, { force: true });
  } catch {
    /* already gone or unreadable: nothing of ours to remove */
  }
}
