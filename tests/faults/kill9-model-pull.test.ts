/**
 * Fault injection: `hearthnet run` killed with SIGKILL halfway through a model pull (a local HTTP
 * server sends stories260K slowly). After the restart no half model is listed or served, the
 * databases pass `PRAGMA integrity_check`, and pulling again gives the whole model.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutModel, STORIES_GGUF } from '../support/models';
import { databasesUnder, initHome, integrityCheck, startNodeProcess, type NodeProcess } from './node-process';

const gguf = skipWithoutModel('kill -9 during a model pull', STORIES_GGUF) ? null : STORIES_GGUF;
const homes: string[] = [];
const running: NodeProcess[] = [];
let server: Server | null = null;
afterAll(async () => {
  await Promise.allSettled(running.map((n) => n.kill9()));
  server?.closeAllConnections();
  server?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** Serves the model at /stories260K.gguf: slowly (16 KiB every 50 ms) until `fast` is set. */
async function slowModelServer(bytes: Buffer): Promise<{ url: string; fast(): void }> {
  let fast = false;
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    if (fast) return void res.end(bytes);
    let at = 0;
    const timer = setInterval(() => {
      if (at >= bytes.length || res.destroyed) return void (clearInterval(timer), res.end());
      res.write(bytes.subarray(at, (at += 16 * 1024)));
    }, 50);
    req.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stories260K.gguf`,
    fast: () => (fast = true),
  };
}

async function pull(home: string, url: string): Promise<string> {
  const info = JSON.parse(readFileSync(join(home, 'state', 'runtime.json'), 'utf8')) as {
    api_port: number;
    api_token: string;
  };
  const res = await fetch(`http://127.0.0.1:${info.api_port}/api/v1/ops/models.pull`, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.api_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  return res.text();
}

const localModels = async (n: NodeProcess): Promise<Array<{ name: string; sha256: string }>> => {
  const d = (await n.call('modelsList')).data as
    Array<{ name: string; sha256: string }> | { local: Array<{ name: string; sha256: string }> };
  return Array.isArray(d) ? d : d.local;
};

describe.skipIf(!gguf)('kill -9 during a model pull', () => {
  it('leaves no half model listed; pulling again gives the whole model', async () => {
    const bytes = readFileSync(gguf!);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const model = await slowModelServer(bytes);
    const home = await initHome('hn-fault-pull-');
    homes.push(home);
    const node = await startNodeProcess(home);
    running.push(node);

    const pulling = pull(home, model.url).catch(() => '');
    await new Promise((r) => setTimeout(r, 400)); // ~128 KiB of 1.2 MB have arrived
    await node.kill9();
    await pulling;
    for (const db of databasesUnder(home)) expect(integrityCheck(db), db).toBe('ok');

    const again = await startNodeProcess(home);
    running.push(again);
    for (const m of await localModels(again)) expect(m.sha256, `${m.name} is listed but not whole`).toBe(sha);
    model.fast();
    const frames = await pull(home, model.url);
    expect(frames, frames.slice(-300)).toMatch(/event: done/);
    const listed = await localModels(again);
    expect(listed.map((m) => m.sha256)).toContain(sha);
    expect(await again.stop()).toBe(0);
  }, 180_000);
});
