/**
 * The program of a receiver thread (receiver-threads.ts): one signed `POST /blobs/v1/chunks` sent
 * over its own pinned TLS connection, the answer's chunk records (`u32 index | u32 length | bytes`,
 * docs/protocol/files.md "Binary chunk path") each checked against its BLAKE3 hash and written at
 * its offsets into the pack file, all off the event loop. Only piece indices go back.
 *
 * HTTP/1.1 is spoken by hand over `tls.connect` with `onread` into one reused buffer: node:https
 * allocated a Buffer per 16 KiB TLS record (external memory that piled up to ~40 MB per thread
 * between garbage collections) and ran its parser and stream machinery per record; measured on
 * this machine (256 MiB, one thread), ~60 vs ~270 MB/s, RSS +58 vs +15 MB.
 *
 * This function is sent to the worker as source text (`String(receiverProgram)`), so it must not
 * use anything from this module's scope: everything comes from `load` (the worker's `require`)
 * and `wd` (workerData).
 */
import type { ReceiverData, ThreadJob, ThreadPiece, ThreadReport } from './receiver-types';

export function receiverProgram(load: NodeJS.Require, wd: ReceiverData): void {
  const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
  const tls = load('node:tls') as typeof import('node:tls');
  const { isIP } = load('node:net') as typeof import('node:net');
  const { createHash } = load('node:crypto') as typeof import('node:crypto');
  const { closeSync, openSync, writeSync } = load('node:fs') as typeof import('node:fs');
  const { blake3 } = load(wd.blake3Path) as { blake3: (d: Uint8Array) => Buffer };
  const port = parentPort;
  if (!port) return;
  const cancels = new Map<number, () => void>();
  const post = (r: ThreadReport) => port.postMessage(r);
  const HEAD_MAX = 16 * 1024;
  const REPORT_BATCH = 16;
  const REPORT_DELAY_MS = 5;

  port.on('message', (m: ThreadJob | { cancel: number }) => {
    if ('cancel' in m) cancels.get(m.cancel)?.();
    else run(m);
  });

  function run(job: ThreadJob): void {
    const o = job.request;
    const pieces = new Map(job.pieces.map((p) => [p.index, p]));
    let ended = false;
    let fd = -1;
    // One timer per request checks for silence (not one per 16 KiB read).
    let lastRead = performance.now();
    const timer = setInterval(
      () => {
        if (performance.now() - lastRead > wd.idleMs)
          fail('net', { code: 'ETIMEDOUT', message: 'the neighbour went silent' });
      },
      Math.min(1000, wd.idleMs),
    );
    // Written pieces are reported in batches: each message wakes the main thread (on a busy
    // machine a wake-up costs the sender far more than the message), and a batch is as good.
    let oks: number[] = [];
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      if (oks.length) post({ id: job.id, t: 'ok', indices: oks });
      oks = [];
    };
    // The HTTP response: its head, then a chunked (or sized) body carrying the records.
    let head = '';
    let status = 0;
    let chunked = false;
    let bodyLeft = -1; // bytes of a sized body still to come (-1: until the connection ends)
    let chunkLeft = 0; // bytes of the current HTTP chunk still to come
    let sizeLine = ''; // the hex size line of the next HTTP chunk, while it arrives
    let skipCrlf = 0;
    let errorText = '';
    // The records: an 8-byte header, then the piece's bytes copied into one reused buffer.
    const rh = Buffer.alloc(8);
    let rhGot = 0;
    let piece: ThreadPiece | undefined;
    let need = 0;
    let got = 0;
    let buf = Buffer.alloc(0);
    const finish = (r: ThreadReport | null) => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      flush();
      cancels.delete(job.id);
      socket.destroy();
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // every write before it completed
        }
      }
      if (r) post(r);
      post({ id: job.id, t: 'done' });
    };
    const fail = (kind: 'net' | 'io' | 'proto', err: unknown) => {
      const e = err as { code?: unknown; message?: unknown } | null;
      const code = typeof e?.code === 'string' ? e.code : null;
      finish({ id: job.id, t: 'err', kind, code, message: typeof e?.message === 'string' ? e.message : String(err) });
    };
    const read = Buffer.allocUnsafe(64 * 1024);
    // `onread` with a reused buffer works for TLS sockets since Node 15 (its typings only list it for net).
    const options: import('node:tls').ConnectionOptions & { onread: import('node:net').OnReadOpts } = {
      host: o.host,
      port: o.port,
      servername: isIP(o.host) ? undefined : o.host,
      rejectUnauthorized: false, // the certificate is pinned below instead
      onread: {
        buffer: read,
        callback: (n: number) => {
          lastRead = performance.now();
          try {
            onBytes(read.subarray(0, n));
          } catch (err) {
            fail('io', err);
          }
          return !ended;
        },
      },
    };
    const socket = tls.connect(options);
    cancels.set(job.id, () => finish(null));
    socket.once('error', (err) => fail('net', err));
    socket.once('close', () => fail('net', { message: 'the connection closed' }));
    socket.once('end', () => {
      if (status === 200 && bodyLeft === -1 && !chunked) endOfRecords();
      else fail('net', { message: 'the connection ended early' });
    });
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate(false).raw as Buffer | undefined;
      const fp = raw ? 'sha256:' + createHash('sha256').update(raw).digest('hex') : null;
      if (fp !== o.expectedFingerprint) {
        fail('proto', { code: 'forbidden', message: `the peer's TLS certificate is not the one pinned (got ${fp})` });
        return;
      }
      try {
        fd = openSync(job.path, 'r+');
      } catch (err) {
        fail('io', err);
        return;
      }
      const lines = [`${o.method} ${o.path} HTTP/1.1`, `host: ${o.host}:${o.port}`, 'connection: close'];
      const headers: Record<string, string> = {
        ...o.headers,
        accept: 'application/octet-stream, application/json',
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(o.body)),
      };
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n' + o.body);
    });

    /** Bytes from the socket (valid only during this call). */
    function onBytes(b: Buffer): void {
      let at = 0;
      if (!status) {
        const text = b.toString('latin1');
        const end = (head + text).indexOf('\r\n\r\n');
        if (end < 0) {
          head += text;
          if (head.length > HEAD_MAX) fail('proto', { message: 'the answer has no end of headers' });
          return;
        }
        at = end + 4 - head.length;
        head = head + text.slice(0, at);
        status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0) || -1;
        chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
        const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        bodyLeft = chunked || !len ? -1 : Number(len[1]);
      }
      for (; at < b.length && !ended;) {
        if (!chunked) {
          const k = bodyLeft < 0 ? b.length - at : Math.min(bodyLeft, b.length - at);
          body(b.subarray(at, at + k));
          at += k;
          if (bodyLeft >= 0 && (bodyLeft -= k) === 0) {
            endOfRecords();
            return;
          }
          continue;
        }
        if (skipCrlf) {
          const k = Math.min(skipCrlf, b.length - at);
          skipCrlf -= k;
          at += k;
        } else if (chunkLeft > 0) {
          const k = Math.min(chunkLeft, b.length - at);
          body(b.subarray(at, at + k));
          chunkLeft -= k;
          at += k;
          if (chunkLeft === 0) skipCrlf = 2;
        } else {
          const nl = b.indexOf(10, at);
          sizeLine += b.toString('latin1', at, nl < 0 ? b.length : nl + 1);
          at = nl < 0 ? b.length : nl + 1;
          if (sizeLine.length > 64) {
            fail('proto', { message: 'bad chunk size in the answer' });
            return;
          }
          if (nl < 0) continue;
          const size = parseInt(sizeLine, 16);
          sizeLine = '';
          if (!Number.isFinite(size) || size < 0) {
            fail('proto', { message: 'bad chunk size in the answer' });
            return;
          }
          if (size === 0) {
            endOfRecords();
            return;
          }
          chunkLeft = size;
        }
      }
    }

    /** Body bytes: an error text, or records. */
    function body(b: Buffer): void {
      if (status !== 200) {
        if (errorText.length < HEAD_MAX) errorText += b.toString('utf8');
        return;
      }
      for (let at = 0; at < b.length && !ended;) {
        if (!piece) {
          const k = Math.min(8 - rhGot, b.length - at);
          b.copy(rh, rhGot, at, at + k);
          rhGot += k;
          at += k;
          if (rhGot < 8) return;
          rhGot = 0;
          const index = rh.readUInt32BE(0);
          need = rh.readUInt32BE(4);
          piece = pieces.get(index);
          if (!piece) {
            fail('proto', { message: 'sent a piece that was not asked for' });
            return;
          }
          if (need > wd.maxRecordBytes) {
            fail('proto', { message: `sent a ${need}-byte piece` });
            return;
          }
          pieces.delete(index);
          if (buf.length < need) buf = Buffer.allocUnsafe(Math.max(need, piece.size));
          got = 0;
        } else {
          const k = Math.min(need - got, b.length - at);
          b.copy(buf, got, at, at + k);
          got += k;
          at += k;
        }
        if (got === need) complete(piece, buf.subarray(0, need));
      }
    }

    /** A whole record: written only if it is the piece asked for (length and hash). */
    function complete(p: ThreadPiece, data: Buffer): void {
      piece = undefined;
      if (data.length !== p.size || blake3(data).toString('hex') !== p.hash) {
        flush();
        post({ id: job.id, t: 'bad', indices: [p.index] });
        return;
      }
      for (const off of p.offsets)
        for (let n = 0; n < data.length;) n += writeSync(fd, data, n, data.length - n, off + n);
      oks.push(p.index);
      if (oks.length >= REPORT_BATCH) flush();
      else flushTimer ??= setTimeout(flush, REPORT_DELAY_MS);
    }

    function endOfRecords(): void {
      if (status !== 200) finish({ id: job.id, t: 'status', status, text: errorText });
      else if (rhGot || piece) fail('net', { message: 'the answer ended inside a piece' });
      else finish(null);
    }
  }
}
