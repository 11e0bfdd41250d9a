/**
 * Fault injection on shared files, with a real `hearthnet run`: a file is shared (`files add` keeps
 * its bytes where they are, as a linked pack), then damaged behind the node's back — a byte changed
 * with size and mtime put back (what a bad disk does), or the file deleted — and the node restarted.
 * The node must never hand out wrong bytes, must say what happened, and must keep serving.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databasesUnder, initHome, faultProcesses, integrityCheck, type NodeProcess } from './node-process';

const { homes, start } = faultProcesses();

/** `files.get` as the CLI runs it (a long operation over SSE); returns the frames as text. */
async function filesGet(home: string, cid: string, out: string): Promise<string> {
  const info = JSON.parse(readFileSync(join(home, 'state', 'runtime.json'), 'utf8')) as {
    api_port: number;
    api_token: string;
  };
  const res = await fetch(`http://127.0.0.1:${info.api_port}/api/v1/ops/files.get`, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.api_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ cid, out }),
  });
  return res.text();
}

/** A home with one shared 3 MiB file; returns the node (running), the file's path, cid and sha256. */
async function homeWithSharedFile(
  prefix: string,
): Promise<{ home: string; node: NodeProcess; file: string; cid: string; sha: string }> {
  const home = await initHome(prefix);
  homes.push(home);
  const node = await start(home);
  const file = join(home, 'photo.bin');
  const bytes = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(file, bytes);
  const added = await node.call<{ cid: string }>('filesAdd', { path: file });
  expect(added.status, JSON.stringify(added.data)).toBe(200);
  return { home, node, file, cid: added.data.cid, sha: createHash('sha256').update(bytes).digest('hex') };
}

describe('damaged shared files', () => {
  it('a byte changed on disk (size and mtime kept): the node refuses to hand out the wrong bytes and keeps serving', async () => {
    const { home, node, file, cid, sha } = await homeWithSharedFile('hn-fault-corrupt-');
    await node.kill9();
    const before = statSync(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0xff ^ readFileSync(file)[1_000_000]]), 0, 1, 1_000_000);
    closeSync(fd);
    utimesSync(file, before.atime, before.mtime); // the damage hides from a size-and-mtime check

    const again = await start(home);
    const out = join(home, 'copy.bin');
    const frames = await filesGet(home, cid, out);
    // No neighbour holds another copy, so the fetch cannot finish; what matters is that no wrong bytes appear.
    if (/event: done/.test(frames)) expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(sha);
    else {
      expect(frames).toMatch(/event: error/);
      expect(existsSync(out), 'a half or wrong file was left under the asked-for name').toBe(false);
    }
    expect((await again.call('marketPost', { category: 'offer', title: 'Still here' })).status).toBe(200);
    expect(await again.stop()).toBe(0);
    for (const db of databasesUnder(home)) expect(integrityCheck(db), db).toBe('ok');
  }, 180_000);

  it('the shared file deleted while the node was down: it restarts, says the file is not here, and keeps serving', async () => {
    const { home, node, file, cid } = await homeWithSharedFile('hn-fault-deleted-');
    await node.kill9();
    unlinkSync(file);

    const again = await start(home);
    const listed = (await again.call('filesList')).data as Array<{ cid: string; local: boolean }>;
    expect(listed.find((f) => f.cid === cid)?.local ?? false, 'a deleted file is still listed as kept here').toBe(
      false,
    );
    const out = join(home, 'copy.bin');
    const frames = await filesGet(home, cid, out);
    expect(frames).toMatch(/event: error/);
    expect(existsSync(out)).toBe(false);
    // Sharing the same bytes again works.
    const bytes = Buffer.alloc(1024, 7);
    writeFileSync(join(home, 'other.bin'), bytes);
    expect((await again.call('filesAdd', { path: join(home, 'other.bin') })).status).toBe(200);
    expect(await again.stop()).toBe(0);
    for (const db of databasesUnder(home)) expect(integrityCheck(db), db).toBe('ok');
  }, 180_000);
});
