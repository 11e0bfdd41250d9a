/** A HearthNet node in its own process (`hearthnet run`), killed and restarted by fault tests. */
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { waitFor } from '../support/mesh';
import { hn, hnSpawn, SAFE_CONFIG } from '../integration/cli/helpers';

export interface NodeProcess {
  readonly home: string;
  readonly pid: number;
  /** tRPC over the local API with this run's token; `T` is what the caller expects `data` to be. */
  call<T = unknown>(path: string, input?: unknown, method?: 'GET' | 'POST'): Promise<{ status: number; data: T }>;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
}

/** A home with a community of one (`init --community`). */
export async function initHome(prefix: string): Promise<string> {
  const h = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(h, 'config.toml'), SAFE_CONFIG);
  const r = await hn(
    h,
    ['init', '--name', 'Fault House', '--profile', 'hearth', '--community', 'Fault Street', '--non-interactive'],
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
  return h;
}

export async function startNodeProcess(home: string): Promise<NodeProcess> {
  const runtime = join(home, 'state', 'runtime.json');
  const run = hnSpawn(home, ['run', '--no-ui', '--port', '0', '--host', '127.0.0.1']);
  await waitFor(
    () => existsSync(runtime) && (JSON.parse(readFileSync(runtime, 'utf8')) as { pid?: number }).pid === run.child.pid,
    60_000,
    `runtime.json (${run.output()})`,
  );
  const info = JSON.parse(readFileSync(runtime, 'utf8')) as { api_port: number; api_token: string };
  const base = `http://127.0.0.1:${info.api_port}/trpc/`;
  return {
    home,
    pid: run.child.pid!,
    async call<T>(path: string, input?: unknown, method: 'GET' | 'POST' = input === undefined ? 'GET' : 'POST') {
      const url =
        method === 'GET' && input !== undefined
          ? `${base}${path}?input=${encodeURIComponent(JSON.stringify(input))}`
          : `${base}${path}`;
      const res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${info.api_token}`, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify(input) : undefined,
      });
      const body = (await res.json()) as { result?: { data: unknown } };
      return { status: res.status, data: (body.result?.data ?? body) as T };
    },
    async kill9() {
      run.child.kill('SIGKILL');
      await run.exited;
    },
    async stop() {
      run.child.kill('SIGTERM');
      return run.exited;
    },
  };
}

/** `PRAGMA integrity_check` of a database file (read-only; the WAL is applied as SQLite would). */
export function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** Every SQLite database under `dir` (by its header), for integrity checks after a crash. */
export function databasesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, f);
    try {
      if (!statSync(p).isFile() || /-(wal|shm|journal)$/.test(p)) continue;
      const fd = openSync(p, 'r');
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      closeSync(fd);
      if (head.toString('latin1') === 'SQLite format 3\0') out.push(p);
    } catch {
      /* vanished or unreadable: not a database we can check */
    }
  }
  return out;
}

/**
 * The homes and node processes of one test file: `start` runs a node and remembers it; homes pushed
 * to `homes` are removed. After the file's tests every node still running is killed.
 */
export function faultProcesses(): { homes: string[]; start: (home: string) => Promise<NodeProcess> } {
  const homes: string[] = [];
  const running: NodeProcess[] = [];
  afterAll(async () => {
    await Promise.allSettled(running.map((n) => n.kill9()));
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });
  return {
    homes,
    start: async (home) => {
      const n = await startNodeProcess(home);
      running.push(n);
      return n;
    },
  };
}
