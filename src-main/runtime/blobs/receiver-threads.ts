/**
 * Receiver threads: a transfer's piece requests answered in worker threads, not on the event loop.
 *
 * Why: receiving a file costs TLS decryption, record parsing, BLAKE3 and a copy into the page cache
 * for every byte. On the main thread that stalled every other call of the node for hundreds of
 * milliseconds while a big file arrived (bus p99 360–1100 ms under load), and kept the transfer on
 * one core. Here the main thread signs the request (transport) and hands it over with the pack's
 * file and the pieces' hashes and offsets; the thread sends it (pinned), checks each
 * piece, writes it with pwrite, and posts back only its index. The main thread then records the
 * piece as held (`.have`), exactly as if it had written it itself. See docs/decisions/blobs.md.
 *
 * Threads start on first use (at most RECEIVER_THREADS_MAX, one request each at a time) and end
 * after RECEIVER_IDLE_EXIT_MS without work. Without the native hasher (no binary for this platform,
 * or HEARTHNET_BLAKE3=wasm) `available` is false and transfers stay on the main thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { abortError } from '../../common';
import { BlobError } from './errors';
import { receiverProgram } from './receiver-program';
import type { OutgoingRequest, ReceiverData, ThreadJob, ThreadPiece, ThreadReport } from './receiver-types';

/** Threads at most (one request each: a transfer runs TRANSFER_STREAMS requests at once). */
export const RECEIVER_THREADS_MAX = 2;
/** An idle thread ends after this long (its memory goes back). */
export const RECEIVER_IDLE_EXIT_MS = 20_000;

/** What a receiving request yields: a piece written (`ok`), refused (`bad`), or a disk failure that ends the transfer. */
export type ReceiveEvent =
  { readonly t: 'ok' | 'bad'; readonly index: number } | { readonly t: 'fatal'; readonly error: BlobError };

interface Thread {
  readonly w: Worker;
  readonly jobs: Map<number, (r: ThreadReport) => void>;
  idle: NodeJS.Timeout | null;
}

/** The thread's whole program: receiverProgram's text, run with the worker's require (nothing to bundle or resolve). */
const SOURCE = `var __name = (f) => f;\n(${String(receiverProgram)})(require, require('node:worker_threads').workerData);`;

/** Where the native hasher resolves from, if its binary loads here. */
function nativeHasherPath(): string | null {
  if (process.env.HEARTHNET_BLAKE3 === 'wasm') return null;
  try {
    const req = createRequire(import.meta.url);
    const path = req.resolve('@napi-rs/blake-hash');
    return typeof (req(path) as { blake3?: unknown }).blake3 === 'function' ? path : null;
  } catch {
    return null;
  }
}

export class ReceiverThreads {
  readonly #threads: Thread[] = [];
  readonly #data: ReceiverData | null;
  readonly #max: number;
  #nextId = 1;
  #stopped = false;

  constructor(opts: { max?: number; idleMs?: number; maxRecordBytes?: number } = {}) {
    const blake3Path = nativeHasherPath();
    this.#max = Math.max(1, opts.max ?? RECEIVER_THREADS_MAX);
    this.#data = blake3Path
      ? { blake3Path, idleMs: opts.idleMs ?? 30_000, maxRecordBytes: opts.maxRecordBytes ?? 16 * 1024 * 1024 }
      : null;
  }

  /** False when pieces cannot be checked off the main thread (no native hasher): callers receive them there. */
  get available(): boolean {
    return this.#data !== null && !this.#stopped;
  }

  /**
   * Sends `request` from a thread and writes the answer's pieces into the file at `path` (which
   * must exist). Yields each piece as it is written or refused; a disk failure is yielded as
   * `fatal` and ends it. Throws when the peer refuses, the connection fails or the framing is wrong
   * (BlobError 'not_found': ask another holder), and on abort.
   */
  async *receive(
    request: OutgoingRequest,
    path: string,
    pieces: readonly ThreadPiece[],
    signal: AbortSignal,
  ): AsyncGenerator<ReceiveEvent> {
    if (signal.aborted) throw abortError(signal, 'The download');
    const th = this.#thread();
    const id = this.#nextId++;
    const queue: ThreadReport[] = [];
    let wake: (() => void) | null = null;
    const push = (r: ThreadReport) => {
      queue.push(r);
      wake?.();
    };
    th.jobs.set(id, push);
    const onAbort = () => push({ id, t: 'err', kind: 'net', code: 'cancelled', message: 'cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    let done = false;
    const aborted = () => signal.aborted; // read afresh after each wait
    try {
      th.w.postMessage({ id, request, path, pieces } satisfies ThreadJob);
      for (let i = 0; i <= pieces.length + 4;) {
        const r = queue.shift();
        if (!r) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        i++;
        if (r.t === 'done') {
          done = true;
          return;
        }
        if (r.t === 'status' || r.t === 'err') {
          if (aborted()) throw abortError(signal, 'The download');
          if (r.t === 'status')
            throw new BlobError('not_found', `The neighbour refused (${r.status}): ${r.text.slice(0, 300)}`);
          if (r.kind === 'io') {
            yield { t: 'fatal', error: ioErrorOf(r.code, r.message) };
            return;
          }
          throw new BlobError('not_found', `Receiving from the neighbour failed: ${r.message}`);
        }
        for (const index of r.indices) yield { t: r.t, index };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!done) th.w.postMessage({ cancel: id });
      th.jobs.delete(id);
      this.#release(th);
    }
  }

  /** Ends every thread (their requests fail). */
  async stop(): Promise<void> {
    this.#stopped = true;
    const all = this.#threads.splice(0);
    await Promise.all(all.map((th) => this.#end(th)));
  }

  /** The thread with the fewest requests, a new one while under the limit. */
  #thread(): Thread {
    const data = this.#data;
    if (!data || this.#stopped) throw new BlobError('io_error', 'No receiver thread is available.');
    const free = this.#threads.find((t) => t.jobs.size === 0);
    if (free || this.#threads.length >= this.#max) {
      const th = free ?? this.#threads.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
      if (th.idle) clearTimeout(th.idle);
      th.idle = null;
      return th;
    }
    const w = new Worker(SOURCE, {
      eval: true,
      name: 'hearthnet-receiver',
      workerData: data,
      // A small young generation: the socket buffers of a transfer are collected every few MB, not every 16.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    const th: Thread = { w, jobs: new Map(), idle: null };
    w.on('message', (r: ThreadReport) => th.jobs.get(r.id)?.(r));
    const gone = (err: unknown) => {
      const i = this.#threads.indexOf(th);
      if (i >= 0) this.#threads.splice(i, 1);
      for (const [id, push] of th.jobs)
        push({ id, t: 'err', kind: 'net', code: null, message: `the receiver thread stopped (${String(err)})` });
    };
    w.on('error', gone);
    w.on('exit', gone);
    w.unref();
    this.#threads.push(th);
    return th;
  }

  #release(th: Thread): void {
    if (th.jobs.size || this.#stopped || !this.#threads.includes(th)) return;
    th.idle = setTimeout(() => {
      const i = this.#threads.indexOf(th);
      if (i >= 0 && th.jobs.size === 0) {
        this.#threads.splice(i, 1);
        void this.#end(th);
      }
    }, RECEIVER_IDLE_EXIT_MS);
    th.idle.unref();
  }

  async #end(th: Thread): Promise<void> {
    if (th.idle) clearTimeout(th.idle);
    await th.w.terminate().catch(() => undefined);
  }
}

function ioErrorOf(code: string | null, message: string): BlobError {
  if (code === 'ENOSPC')
    return new BlobError(
      'disk_full',
      'The disk is full while storing a received piece. Free some space and try again.',
    );
  return new BlobError(
    'io_error',
    `A disk error (${code ?? 'unknown'}) happened while storing a received piece: ${message}`,
    {
      details: { errno: code },
    },
  );
}
