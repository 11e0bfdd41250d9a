/**
 * The signing lane: ed25519 signatures made and checked on ONE dedicated worker thread.
 *
 * Why: every peer request is signed by its caller and verified by its server (~45 us + ~125 us of
 * CPU here). On the event loop that doubles the cost of a small call. On libuv's thread pool (4–8
 * threads) a burst of requests puts several signature jobs on the cores at once, and they preempt
 * the event loop that has to parse, route and answer those same requests (measured: the loop spent
 * ~90 us more per signed call with a pool of 4 than with a pool of 1; docs/benchmarks.md). One
 * thread that drains a queue takes at most one core and leaves the loop its own.
 *
 * Jobs queued in the same tick go to the worker as one message; answers come back as one message.
 * If the worker cannot start or dies, pending and later jobs fall back to node:crypto's async
 * (thread-pool) calls: slower under load, same answers.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { PKCS8_PREFIX, SPKI_PREFIX } from './keys';


/**
 * The worker's whole program (plain JS, evaluated: nothing to bundle or resolve at run time).
 * A message is `{ ops }`, each op `[id, key, data, sig?]` where key is a 32-byte seed (sign, no sig)
 * or a 32-byte public key (verify). The answer is a flat array `[id, result, id, result, ...]`: a
 * signature (Uint8Array), true/false, or null when the job failed.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const PKCS8 = Buffer.from('${PKCS8_PREFIX.toString('hex')}', 'hex');
const SPKI = Buffer.from('${SPKI_PREFIX.toString('hex')}', 'hex');
const KEYS_MAX = 4096;
const keys = new Map();
function keyOf(raw, isPrivate) {
  const id = (isPrivate ? 's' : 'p') + Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  let k = keys.get(id);
  if (!k) {
    const der = Buffer.concat([isPrivate ? PKCS8 : SPKI, raw]);
    k = isPrivate ? crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) : crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
    if (keys.size >= KEYS_MAX) keys.clear();
    keys.set(id, k);
  }
  return k;
}
parentPort.on('message', ({ ops }) => {
  const out = [];
  for (const [id, key, data, sig] of ops) {
    try {
      out.push(id, sig === undefined ? new Uint8Array(crypto.sign(null, data, keyOf(key, true))) : crypto.verify(null, data, keyOf(key, false), sig));
    } catch {
      out.push(id, null);
    }
  }
  parentPort.postMessage(out);
});
`;

type Op = [id: number, key: Uint8Array, data: Uint8Array, sig?: Uint8Array];
type Answer = Uint8Array | boolean | null;

export class SigningLane {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { op: Op; resolve: (a: Answer) => void }>();
  private queued: Op[] = [];
  private flushScheduled = false;

  /** 64-byte signature of `data` by the key with this 32-byte seed; rejects only if signing itself fails. */
  async sign(seed: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const sig = await this.run([0, ownBytes(seed), ownBytes(data)]);
    if (!(sig instanceof Uint8Array)) throw new Error('ed25519 signing failed');
    return sig;
  }

  /** Whether `sig` is a valid signature of `data` by this 32-byte public key. Never rejects. */
  async verify(publicKey: Uint8Array, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
    return (await this.run([0, ownBytes(publicKey), ownBytes(data), ownBytes(sig)])) === true;
  }

  private run(op: Op): Promise<Answer> {
    if (this.broken) return fallback(op);
    const id = this.nextId++;
    op[0] = id;
    return new Promise((resolve) => {
      this.pending.set(id, { op, resolve });
      this.queued.push(op);
      this.scheduleFlush();
    });
  }

  /**
   * Jobs queued in one tick go as one batch. (Holding jobs back while earlier batches are at the
   * worker posts fewer messages but leaves the worker idle between answers: no faster, measured.)
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const ops = this.queued;
    this.queued = [];
    const w = this.start();
    if (!w) return this.failOver();
    w.ref();
    w.postMessage({ ops });
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      const w = new Worker(WORKER_SOURCE, { eval: true, name: 'hearthnet-signing' });
      w.on('message', (out: Answer[]) => this.settle(out));
      w.on('error', () => this.failOver());
      w.on('exit', () => this.failOver());
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }

  private settle(out: Answer[]): void {
    for (let j = 0; j < out.length; j += 2) {
      const id = out[j] as unknown as number;
      const p = this.pending.get(id);
      this.pending.delete(id);
      p?.resolve(out[j + 1]);
    }
    // An idle lane must not keep the process alive.
    if (this.pending.size === 0) this.worker?.unref();
  }

  /** The worker is gone: everything still waiting (and all later jobs) runs on node:crypto's pool. */
  private failOver(): void {
    this.broken = true;
    this.worker = null;
    this.queued = [];
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) void fallback(p.op).then(p.resolve);
  }
}

/**
 * The bytes of a view in a buffer of their own. postMessage copies a view's WHOLE underlying
 * ArrayBuffer, and small Buffers are slices of node's shared 8 KiB pool.
 */
function ownBytes(u: Uint8Array): Uint8Array {
  return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : new Uint8Array(u);
}

function fallback([, key, data, sig]: Op): Promise<Answer> {
  return new Promise((resolve) => {
    try {
      if (sig === undefined) {
        const k = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, key]), format: 'der', type: 'pkcs8' });
        cryptoSign(null, data, k, (err, s) => resolve(err ? null : new Uint8Array(s)));
      } else {
        const k: KeyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
        cryptoVerify(null, data, k, sig, (err, ok) => resolve(!err && ok));
      }
    } catch {
      resolve(sig === undefined ? null : false);
    }
  });
}

/** One lane per process (one core at most for request signatures); tests may make their own. */
export const signingLane = new SigningLane();
