/** ModelStore against real files and a real 127.0.0.1 HTTP server with Range support and dropped connections. */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelStore, ModelStoreError, type PullProgress } from '../../../src-main/runtime/models';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';

const skip = skipWithoutModel('ModelStore', STORIES_GGUF);

interface FileServer {
  url: string;
  requests: IncomingHttpHeaders[];
  /** Cut the connection after this many body bytes, for the next `dropTimes` requests. */
  drop: { afterBytes: number; times: number };
  close(): Promise<void>;
}

async function serveFile(data: Buffer, opts: { ranges?: boolean } = {}): Promise<FileServer> {
  const requests: IncomingHttpHeaders[] = [];
  const drop = { afterBytes: 0, times: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    if (req.url === '/missing.gguf') return void res.writeHead(404).end('not here');
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = opts.ranges !== false && m ? Number(m[1]) : 0;
    if (start >= data.length && m) return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    const body = data.subarray(start);
    res.writeHead(m && opts.ranges !== false ? 206 : 200, {
      'content-length': String(body.length),
      'accept-ranges': 'bytes',
      ...(m && opts.ranges !== false ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    if (drop.times > 0) {
      drop.times--;
      res.write(body.subarray(0, drop.afterBytes), () => setImmediate(() => res.socket?.destroy()));
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    drop,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function storeError(p: Promise<unknown>, code: string): Promise<ModelStoreError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ModelStoreError);
  expect((e as ModelStoreError).code).toBe(code);
  return e as ModelStoreError;
}

describe.skipIf(skip)('ModelStore', () => {
  let dir: string;
  let store: ModelStore;
  let data: Buffer;
  let sha: string;
  let srv: FileServer;
  beforeAll(async () => {
    data = readFileSync(STORIES_GGUF!);
    sha = createHash('sha256').update(data).digest('hex');
    srv = await serveFile(data);
  });
  afterAll(async () => srv?.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hn-models-'));
    store = new ModelStore(join(dir, 'models'));
    srv.requests.length = 0;
    srv.drop.times = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a GGUF file atomically and lists it with size, sha256 (cached in a sidecar) and header metadata', async () => {
    expect(await store.list()).toEqual([]);
    const added = await store.add(STORIES_GGUF!);
    expect(added).toMatchObject({
      name: 'stories260K',
      file: 'stories260K.gguf',
      size_bytes: data.length,
      sha256: sha,
      architecture: 'llama',
    });
    expect(added.context_length).toEqual(expect.any(Number));
    expect(readFileSync(join(dir, 'models', 'stories260K.gguf')).equals(data)).toBe(true);
    const side = join(dir, 'models', 'stories260K.gguf.sha256');
    expect(readFileSync(side, 'utf8')).toBe(`${sha}  stories260K.gguf\n`);
    // the listing trusts a sidecar newer than the file (proved by planting a fake hash) ...
    writeFileSync(side, `${'a'.repeat(64)}  stories260K.gguf\n`);
    expect((await store.list())[0].sha256).toBe('a'.repeat(64));
    // ... and recomputes when the file is newer than the sidecar
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'models', 'stories260K.gguf'), later, later);
    expect((await store.list())[0].sha256).toBe(sha);
    await storeError(store.add(STORIES_GGUF!), 'exists');
    // sub-folders one level down are listed too
    const sub = new ModelStore(join(STORIES_GGUF!, '..', '..'));
    expect((await sub.list()).map((x) => x.file)).toContain('stories260K/stories260K.gguf');
  });

  it('refuses a file that is not GGUF, a missing file, and leaves the folder unchanged', async () => {
    const fake = join(dir, 'fake.gguf');
    writeFileSync(fake, 'PK\u0003\u0004 definitely a zip');
    await storeError(store.add(fake), 'not_gguf');
    await storeError(store.add(join(dir, 'nope.gguf')), 'not_found');
    expect(await store.list()).toEqual([]);
  });

  it('pulls over HTTP with progress and a verified checksum', async () => {
    const seen: PullProgress[] = [];
    const m = await store.pull(`${srv.url}/stories260K.gguf`, { sha256: sha, onProgress: (p) => seen.push(p) });
    expect(m).toMatchObject({ name: 'stories260K', sha256: sha, size_bytes: data.length });
    expect(seen.at(-1)).toEqual({ received_bytes: data.length, total_bytes: data.length, resumed_from: 0 });
    expect(existsSync(join(dir, 'models', 'stories260K.gguf.part'))).toBe(false);
  });

  it('resumes with Range after a dropped connection, within one pull and across pulls', async () => {
    srv.drop.afterBytes = 300_000;
    srv.drop.times = 1;
    const seen: PullProgress[] = [];
    await store.pull(`${srv.url}/stories260K.gguf`, { sha256: sha, onProgress: (p) => seen.push(p) });
    // every byte handed to us before the cut was kept on disk: the second request starts exactly there
    // (bytes still queued in the client's stream when the socket died are lost, so <= 300000)
    const kept = seen.filter((p) => p.resumed_from === 0).at(-1)!.received_bytes;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(300_000);
    expect(srv.requests.map((h) => h.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(seen.some((p) => p.resumed_from === kept)).toBe(true);
    expect(seen.every((p, i) => i === 0 || p.received_bytes >= seen[i - 1].received_bytes)).toBe(true);
    expect(readFileSync(join(dir, 'models', 'stories260K.gguf')).equals(data)).toBe(true);

    // no retries: the first pull fails and keeps the .part; the next pull continues from there
    srv.requests.length = 0;
    srv.drop.afterBytes = 500_000;
    srv.drop.times = 1;
    const e = await storeError(
      store.pull(`${srv.url}/stories260K.gguf`, { name: 'again.gguf', retries: 0 }),
      'download_failed',
    );
    const partial = e.details.partial_bytes as number;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThanOrEqual(500_000);
    expect(statSync(join(dir, 'models', 'again.gguf.part')).size).toBe(partial);
    expect((await store.list()).map((x) => x.name)).toEqual(['stories260K']);
    const again = await store.pull(`${srv.url}/stories260K.gguf`, { name: 'again.gguf', sha256: sha });
    expect(srv.requests.map((h) => h.range)).toEqual([undefined, `bytes=${partial}-`]);
    expect(again.sha256).toBe(sha);
  });

  it('a checksum mismatch deletes the download; bad URLs, names and HTTP errors are refused', async () => {
    const e = await storeError(
      store.pull(`${srv.url}/stories260K.gguf`, { sha256: 'b'.repeat(64) }),
      'checksum_mismatch',
    );
    expect(e.details.actual).toBe(sha);
    expect(existsSync(join(dir, 'models', 'stories260K.gguf.part'))).toBe(false);
    expect(existsSync(join(dir, 'models', 'stories260K.gguf'))).toBe(false);
    await storeError(store.pull('ftp://127.0.0.1/x.gguf'), 'bad_url');
    await storeError(store.pull('not a url'), 'bad_url');
    await storeError(store.pull(`${srv.url}/stories260K.gguf`, { name: '../evil.gguf' }), 'bad_name');
    await storeError(store.pull(`${srv.url}/missing.gguf`), 'download_failed');
    expect(await store.list()).toEqual([]);
  });

  it('restarts from zero when the server ignores Range', async () => {
    const plain = await serveFile(data, { ranges: false });
    try {
      plain.drop.afterBytes = 100_000;
      plain.drop.times = 1;
      const m = await store.pull(`${plain.url}/stories260K.gguf`, { sha256: sha });
      expect(plain.requests).toHaveLength(2);
      expect(plain.requests[1].range).toMatch(/^bytes=\d+-$/); // asked to resume, got the whole file (200), started over
      expect(m.size_bytes).toBe(data.length);
    } finally {
      await plain.close();
    }
  });
});
