/**
 * Receiver threads (blobs/receiver-threads.ts): a real HTTPS server streams chunk records; the
 * thread checks each piece against its BLAKE3 and writes it at its offsets, refuses a damaged one,
 * never sends the request to a certificate other than the pinned one, and stops on cancel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiverThreads, wasmBlake3, type ReceiveEvent, type ThreadPiece } from '../../../src-main/runtime/blobs';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { chunkRecordHeader, fingerprintOfPem, generateSelfSignedCert } from '../../../src-main/runtime/transport';

const PIECE = 64 * 1024;
const N = 12;

describe('receiver threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hn-receiver-'));
  const tls = generateSelfSignedCert(generateKeyPair());
  const pieces = Array.from({ length: N }, () => randomBytes(PIECE));
  /** What the server does with the next request. */
  let mode: 'good' | 'corrupt' | 'refuse' | 'slow' = 'good';
  let requests = 0;
  let server: Server;
  let port = 0;
  const threads = new ReceiverThreads();

  beforeAll(async () => {
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      requests++;
      const body: Buffer[] = [];
      req.on('data', (b: Buffer) => body.push(b));
      req.on('end', () => {
        const asked = (JSON.parse(Buffer.concat(body).toString('utf8')) as { chunks: number[] }).chunks;
        if (mode === 'refuse') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such file here' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        let i = 0;
        const next = () => {
          if (i >= asked.length) return void res.end();
          const index = asked[i++];
          const data = Buffer.from(pieces[index]);
          if (mode === 'corrupt' && index === 3) data[100] ^= 1;
          res.write(chunkRecordHeader(index, data.length));
          // Split a record across writes, so it arrives in several TLS records and HTTP chunks.
          res.write(data.subarray(0, 1000));
          res.write(data.subarray(1000));
          if (mode === 'slow') setTimeout(next, 200);
          else setImmediate(next);
        };
        next();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await threads.stop();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (fingerprint = fingerprintOfPem(tls.certPem)) => ({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/blobs/v1/chunks',
    headers: { authorization: 'test' },
    body: JSON.stringify({ cid: 'x', chunks: [...Array(N).keys()] }),
    expectedFingerprint: fingerprint,
  });
  /** Each piece goes to its place, and piece 0 also at the end (a chunk repeated in the blob). */
  const wanted = async (): Promise<ThreadPiece[]> => {
    const h = await wasmBlake3(); // the portable hasher: the thread (native) must agree with it
    return pieces.map((p, index) => ({
      index,
      hash: h.hex(p),
      size: PIECE,
      offsets: index === 0 ? [0, N * PIECE] : [index * PIECE],
    }));
  };
  const run = async (path: string, fingerprint?: string, signal = new AbortController().signal) => {
    writeFileSync(path, Buffer.alloc(0));
    const events: ReceiveEvent[] = [];
    let error: unknown = null;
    try {
      for await (const e of threads.receive(request(fingerprint), path, await wanted(), signal)) events.push(e);
    } catch (err) {
      error = err;
    }
    return { events, error };
  };

  it('checks every piece and writes it at each of its offsets; the main thread gets only indices', async () => {
    expect(threads.available).toBe(true);
    mode = 'good';
    const path = join(dir, 'good.pack');
    const { events, error } = await run(path);
    expect(error).toBeNull();
    expect(events.filter((e) => e.t === 'ok').map((e) => (e.t === 'ok' ? e.index : -1))).toEqual([...Array(N).keys()]);
    expect(readFileSync(path).equals(Buffer.concat([...pieces, pieces[0]]))).toBe(true);
  });

  it('refuses a damaged piece without writing it, and keeps the others', async () => {
    mode = 'corrupt';
    const path = join(dir, 'corrupt.pack');
    const { events, error } = await run(path);
    expect(error).toBeNull();
    expect(events).toContainEqual({ t: 'bad', index: 3 });
    expect(events.filter((e) => e.t === 'ok')).toHaveLength(N - 1);
    const file = readFileSync(path);
    expect(file.subarray(3 * PIECE, 4 * PIECE).equals(Buffer.alloc(PIECE))).toBe(true); // a hole, not the bad bytes
    expect(file.subarray(4 * PIECE, 5 * PIECE).equals(pieces[4])).toBe(true);
  });

  it('never sends the request to a certificate other than the pinned one', async () => {
    mode = 'good';
    const before = requests;
    const { events, error } = await run(join(dir, 'pin.pack'), 'sha256:' + '0'.repeat(64));
    expect(events).toHaveLength(0);
    expect(String(error)).toMatch(/not the one pinned/);
    expect(requests).toBe(before);
  });

  it("reports the peer's refusal", async () => {
    mode = 'refuse';
    const { error } = await run(join(dir, 'refused.pack'));
    expect(String(error)).toMatch(/refused \(404\).*no such file here/);
  });

  it('stops on cancel', async () => {
    mode = 'slow';
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(new Error('stop')), 500);
    const t0 = performance.now();
    const { events, error } = await run(join(dir, 'cancel.pack'), undefined, ctrl.signal);
    expect(error).not.toBeNull();
    expect(events.length).toBeLessThan(N);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
