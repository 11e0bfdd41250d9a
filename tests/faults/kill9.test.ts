/**
 * Fault injection with real processes: `hearthnet run` killed with SIGKILL during a burst of posts
 * and during `files add`; a truncated events.db WAL. Each is followed by a restart, `PRAGMA
 * integrity_check`, and a check that every acknowledged write is there and nothing that was never
 * asked for is shown.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databasesUnder, initHome, faultProcesses, integrityCheck, type NodeProcess } from './node-process';

const { homes, start } = faultProcesses();

const titlesOf = async (n: NodeProcess): Promise<string[]> =>
  (
    await n.call<{ posts: Array<{ title: string }> }>('marketList', { limit: 500, include_expired: true }, 'GET')
  ).data.posts.map((p) => p.title);

describe('kill -9', () => {
  it('during a burst of posts: after restart the log is intact, every acknowledged post is there, nothing never sent appears', async () => {
    const home = await initHome('hn-fault-posts-');
    homes.push(home);
    const node = await start(home);
    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    let killed = false;
    const poster = async (w: number) => {
      for (let i = 0; i < 200 && !killed; i++) {
        const title = `Burst ${w}-${i}`;
        attempted.add(title);
        try {
          const r = await node.call('marketPost', { category: 'offer', title, body: 'from a burst' });
          if (r.status === 200) acknowledged.add(title);
        } catch {
          return; // the node died mid-request: not acknowledged
        }
      }
    };
    const burst = Promise.all([0, 1, 2, 3].map(poster));
    // Kill once some posts are in, while the others are still being written.
    const until = Date.now() + 30_000;
    while (acknowledged.size < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    killed = true;
    await node.kill9();
    await burst;
    expect(acknowledged.size).toBeGreaterThanOrEqual(20);

    const events = join(home, 'state', 'events.db');
    for (const db of databasesUnder(home)) expect(integrityCheck(db), db).toBe('ok');
    const again = await start(home);
    const shown = await titlesOf(again);
    for (const t of acknowledged) expect(shown, `acknowledged "${t}" lost`).toContain(t);
    for (const t of shown) expect(attempted.has(t), `"${t}" was never sent`).toBe(true);
    // The node takes writes again.
    expect((await again.call('marketPost', { category: 'offer', title: 'After the crash' })).status).toBe(200);
    expect(await again.stop()).toBe(0);
    expect(integrityCheck(events)).toBe('ok');
  }, 180_000);

  it('during files add: after restart the file is either fully there (same bytes) or absent, and adding it again works', async () => {
    const home = await initHome('hn-fault-files-');
    homes.push(home);
    const node = await start(home);
    const file = join(home, 'big.bin');
    const bytes = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(file, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const adding = node.call<{ cid: string }>('filesAdd', { path: file }).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    await node.kill9();
    const r = await adding;
    const acknowledgedCid = r && r.status === 200 ? r.data.cid : null;

    expect(integrityCheck(join(home, 'state', 'events.db'))).toBe('ok');
    const again = await start(home);
    const listed = (await again.call('filesList')).data as Array<{ cid: string; local: boolean }>;
    if (acknowledgedCid) expect(listed.map((f) => f.cid)).toContain(acknowledgedCid);
    const added = await again.call<{ cid: string }>('filesAdd', { path: file });
    expect(added.status, JSON.stringify(added.data)).toBe(200);
    const cid = added.data.cid;
    if (acknowledgedCid) expect(cid).toBe(acknowledgedCid);
    // Fetching it back gives exactly the bytes added.
    const out = join(home, 'fetched.bin');
    const runtime = JSON.parse(readFileSync(join(home, 'state', 'runtime.json'), 'utf8')) as {
      api_port: number;
      api_token: string;
    };
    const got = await fetch(`http://127.0.0.1:${runtime.api_port}/api/v1/ops/files.get`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${runtime.api_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ cid, out }),
    });
    const frames = await got.text();
    expect(frames, frames.slice(-300)).toMatch(/event: done/);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(sha);
    expect(await again.stop()).toBe(0);
  }, 180_000);
});

describe('damaged files', () => {
  it('a truncated events.db WAL: the node starts, integrity_check is ok, and it serves and takes writes', async () => {
    const home = await initHome('hn-fault-wal-');
    homes.push(home);
    const node = await start(home);
    for (let i = 0; i < 30; i++)
      expect((await node.call('marketPost', { category: 'offer', title: `Before ${i}` })).status).toBe(200);
    await node.kill9(); // the WAL is left behind, not checkpointed
    const wal = join(home, 'state', 'events.db-wal');
    expect(existsSync(wal)).toBe(true);
    const size = statSync(wal).size;
    expect(size).toBeGreaterThan(0);
    truncateSync(wal, Math.floor(size / 2) + 7); // a torn tail, mid-frame
    const again = await start(home);
    const shown = await titlesOf(again);
    // A torn WAL loses the frames after the tear (SQLite checks each frame); nothing else may appear.
    for (const t of shown) expect(t).toMatch(/^Before \d+$/);
    expect((await again.call('marketPost', { category: 'offer', title: 'After the tear' })).status).toBe(200);
    expect(await again.stop()).toBe(0);
    expect(integrityCheck(join(home, 'state', 'events.db'))).toBe('ok');
  }, 180_000);
});
