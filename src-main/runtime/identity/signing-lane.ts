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
 * Jobs and answers travel through two rings in shared memory, not `postMessage`: structured
 * cloning a job and dispatching its answer as a message event cost the loop ~12 us per job, a ring
 * write ~1 us. The worker sleeps in `Atomics.wait` on the job ring's head and is woken once per turn
 * of the event loop; the loop learns of answers through `Atomics.waitAsync` on an answer counter
 * (docs/decisions/transport.md "The signing lane").
 * The worker does the maths with libsodium (`sodium-native`, prebuilt for the usual platforms): its
 * ed25519 costs ~20 us to sign and ~55 us to verify here, node:crypto's (OpenSSL 3) ~41 and ~130 us
 * — the lane's thread spent ~175 us per signed call, the bound of a node's call rate (issue 16).
 * Same signatures (ed25519 is deterministic); libsodium's verify is the stricter of the two (it also
 * refuses small-order and non-canonical keys and points, which no honest signer produces). Where
 * sodium-native cannot load (a platform without a prebuilt binary), the worker uses node:crypto.
 * If the worker cannot start or dies, pending and later jobs fall back to node:crypto's async
 * (thread-pool) calls: slower under load, same answers.
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { PKCS8_PREFIX, SPKI_PREFIX } from './keys';

/**
 * Shared layout. `ctrl` (Int32Array) holds the rings' byte offsets and the answer counter. A ring
 * record is `[length u32][id u32]...`, 4-aligned and never split: a zero length means "continue at
 * offset 0". A writer leaves at least one byte free so that head === tail means empty.
 *   job:    [len][id][kind u8: 1 sign, 2 verify][key length u8][sig length u8][pad][data length u32] key sig data
 *   answer: [len][id][status u8: 0 failed, 1 ok / valid, 2 invalid][pad 3] signature (64, when signed)
 */
const JOB_HEAD = 0;
const JOB_TAIL = 1;
const ANSWER_HEAD = 2;
const ANSWER_TAIL = 3;
const ANSWER_COUNT = 4;
/** Set by the worker once it has loaded its maths: 1 libsodium, 2 node:crypto. */
const BACKEND = 5;
const RING_BYTES = 256 * 1024;
/** Larger jobs (none on the request path, where data is ~400 bytes) go straight to the fallback. */
const JOB_MAX_BYTES = 16 * 1024;

/** The worker's whole program (plain JS, evaluated: nothing to bundle or resolve at run time). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const PKCS8 = Buffer.from('${PKCS8_PREFIX.toString('hex')}', 'hex');
const SPKI = Buffer.from('${SPKI_PREFIX.toString('hex')}', 'hex');
const [JOB_HEAD, JOB_TAIL, ANSWER_HEAD, ANSWER_TAIL, ANSWER_COUNT, BACKEND] = [${JOB_HEAD}, ${JOB_TAIL}, ${ANSWER_HEAD}, ${ANSWER_TAIL}, ${ANSWER_COUNT}, ${BACKEND}];
const ctrl = new Int32Array(workerData.ctrl);
const jobs = Buffer.from(workerData.jobs);
const answers = Buffer.from(workerData.answers);
const KEYS_MAX = 4096;
const keys = new Map();
let sodium = null;
try {
  if (workerData.sodiumPath) sodium = require(workerData.sodiumPath);
} catch {
  sodium = null; // no prebuilt binary for this platform: node:crypto below
}
Atomics.store(ctrl, BACKEND, sodium ? 1 : 2);
function keyOf(raw, isPrivate) {
  const id = (isPrivate ? 's' : 'p') + raw.toString('base64');
  let k = keys.get(id);
  if (!k) {
    if (sodium && isPrivate) {
      k = Buffer.alloc(64);
      sodium.crypto_sign_seed_keypair(Buffer.alloc(32), k, raw);
    } else if (sodium) k = raw;
    else {
      const der = Buffer.concat([isPrivate ? PKCS8 : SPKI, raw]);
      k = isPrivate ? crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) : crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
    if (keys.size >= KEYS_MAX) keys.clear();
    keys.set(id, k);
  }
  return k;
}
function sign(data, seed) {
  if (!sodium) return crypto.sign(null, data, keyOf(seed, true));
  const sig = Buffer.alloc(64);
  sodium.crypto_sign_detached(sig, data, keyOf(seed, true));
  return sig;
}
function verify(data, pub, sig) {
  if (!sodium) return crypto.verify(null, data, keyOf(pub, false), sig);
  if (pub.length !== 32 || sig.length !== 64) return false;
  return sodium.crypto_sign_verify_detached(sig, data, pub);
}
function answer(id, status, sig) {
  const len = sig ? 76 : 12;
  for (;;) {
    const head = Atomics.load(ctrl, ANSWER_HEAD);
    const tail = Atomics.load(ctrl, ANSWER_TAIL);
    let at = head;
    if (head >= tail ? head + len + 4 > answers.length && len >= tail : head + len >= tail) {
      Atomics.wait(ctrl, ANSWER_TAIL, tail, 50); // the loop has not read its answers yet
      continue;
    }
    if (head >= tail && head + len + 4 > answers.length) {
      answers.writeUInt32LE(0, head);
      at = 0;
    }
    answers.writeUInt32LE(len, at);
    answers.writeUInt32LE(id, at + 4);
    answers[at + 8] = status;
    if (sig) sig.copy(answers, at + 12);
    Atomics.store(ctrl, ANSWER_HEAD, at + len);
    Atomics.add(ctrl, ANSWER_COUNT, 1);
    Atomics.notify(ctrl, ANSWER_COUNT);
    return;
  }
}
for (;;) {
  const tail = Atomics.load(ctrl, JOB_TAIL);
  const head = Atomics.load(ctrl, JOB_HEAD);
  if (tail === head) {
    Atomics.wait(ctrl, JOB_HEAD, head); // no timeout: an idle lane never wakes (terminate() still ends the wait)
    continue;
  }
  const len = jobs.readUInt32LE(tail);
  if (len === 0) {
    Atomics.store(ctrl, JOB_TAIL, 0);
    continue;
  }
  const id = jobs.readUInt32LE(tail + 4);
  const kind = jobs[tail + 8];
  const keyLen = jobs[tail + 9];
  const sigLen = jobs[tail + 10];
  const dataLen = jobs.readUInt32LE(tail + 12);
  let p = tail + 16;
  const key = Buffer.from(jobs.subarray(p, (p += keyLen)));
  const sig = Buffer.from(jobs.subarray(p, (p += sigLen)));
  const data = Buffer.from(jobs.subarray(p, p + dataLen));
  Atomics.store(ctrl, JOB_TAIL, tail + len);
  try {
    if (kind === 1) answer(id, 1, sign(data, key));
    else answer(id, verify(data, key, sig) ? 1 : 2, null);
  } catch {
    answer(id, 0, null);
  }
}
`;

type Op = { kind: 1 | 2; key: Uint8Array; data: Uint8Array; sig?: Uint8Array };
type Answer = Uint8Array | boolean | null;

/** `Atomics.waitAsync` (ES2024; in node since 16; typed by the `ES2024.SharedMemory` lib). */
const waitAsync = (a: Int32Array, i: number, v: number) => Atomics.waitAsync(a, i, v);

export class SigningLane {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { op: Op; resolve: (a: Answer) => void }>();
  /** Jobs waiting for room in the job ring (a burst larger than the ring), oldest first. */
  private overflow: { id: number; op: Op }[] = [];
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(8 * 4));
  private readonly jobs = Buffer.from(new SharedArrayBuffer(RING_BYTES));
  private readonly answers = Buffer.from(new SharedArrayBuffer(RING_BYTES));
  private listening = false;
  /**
   * The worker is woken once per turn of the event loop, after the turn's I/O callbacks have
   * queued their jobs: waking a sleeping thread costs the loop ~9 us here (a futex wake and, in a
   * VM, an inter-processor interrupt), once per batch instead of once per job (rpc +1.5–4 %).
   */
  private wakeScheduled = false;
  private readonly wake = () => {
    this.wakeScheduled = false;
    Atomics.notify(this.ctrl, JOB_HEAD);
  };
  /**
   * The answer counter as read BEFORE the last read of the answer ring: the next wait is for a
   * change from this value, so an answer written while the ring was being read wakes it at once.
   */
  private countSeen = 0;

  /** Which library the worker signs with: known once it has run its first job. */
  get backend(): 'libsodium' | 'node:crypto' | 'not started' {
    if (this.broken) return 'node:crypto';
    const b = Atomics.load(this.ctrl, BACKEND);
    return b === 1 ? 'libsodium' : b === 2 ? 'node:crypto' : 'not started';
  }

  /** 64-byte signature of `data` by the key with this 32-byte seed; rejects only if signing itself fails. */
  async sign(seed: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const sig = await this.run({ kind: 1, key: seed, data });
    if (!(sig instanceof Uint8Array)) throw new Error('ed25519 signing failed');
    return sig;
  }

  /** Whether `sig` is a valid signature of `data` by this 32-byte public key. Never rejects. */
  async verify(publicKey: Uint8Array, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
    return (await this.run({ kind: 2, key: publicKey, data, sig })) === true;
  }

  private run(op: Op): Promise<Answer> {
    if (this.broken || op.key.length > 255 || (op.sig?.length ?? 0) > 255 || op.data.length > JOB_MAX_BYTES)
      return fallback(op);
    const w = this.start();
    if (!w) return fallback(op);
    const id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    return new Promise((resolve) => {
      this.pending.set(id, { op, resolve });
      if (this.pending.size === 1) w.ref();
      if (this.overflow.length > 0 || !this.put(id, op)) this.overflow.push({ id, op });
      this.listen();
    });
  }

  /** Writes one job into the ring and wakes the worker; false when the ring has no room. */
  private put(id: number, op: Op): boolean {
    const sigLen = op.sig?.length ?? 0;
    const len = (16 + op.key.length + sigLen + op.data.length + 3) & ~3;
    const ring = this.jobs;
    const head = Atomics.load(this.ctrl, JOB_HEAD);
    const tail = Atomics.load(this.ctrl, JOB_TAIL);
    let at = head;
    if (head >= tail && head + len + 4 > ring.length) {
      if (len >= tail) return false;
      ring.writeUInt32LE(0, head);
      at = 0;
    } else if (head < tail && head + len >= tail) return false;
    ring.writeUInt32LE(len, at);
    ring.writeUInt32LE(id, at + 4);
    ring[at + 8] = op.kind;
    ring[at + 9] = op.key.length;
    ring[at + 10] = sigLen;
    ring.writeUInt32LE(op.data.length, at + 12);
    let p = at + 16;
    ring.set(op.key, p);
    p += op.key.length;
    if (op.sig) ring.set(op.sig, p);
    ring.set(op.data, p + sigLen);
    Atomics.store(this.ctrl, JOB_HEAD, at + len);
    if (!this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(this.wake);
    }
    return true;
  }

  /** Waits (without blocking the loop) for the worker's next answer while jobs are out. */
  private listen(): void {
    if (this.listening || this.broken) return;
    this.listening = true;
    const w = waitAsync(this.ctrl, ANSWER_COUNT, this.countSeen);
    if (w.async) void (w.value as Promise<string>).then(() => this.onAnswers());
    else queueMicrotask(() => this.onAnswers());
  }

  private onAnswers(): void {
    this.listening = false;
    if (this.broken) return;
    this.countSeen = Atomics.load(this.ctrl, ANSWER_COUNT);
    this.readAnswers();
    while (this.overflow.length > 0 && this.put(this.overflow[0].id, this.overflow[0].op)) this.overflow.shift();
    if (this.pending.size > 0) this.listen();
    // An idle lane must not keep the process alive.
    else this.worker?.unref();
  }

  private readAnswers(): void {
    const ring = this.answers;
    let tail = Atomics.load(this.ctrl, ANSWER_TAIL);
    const head = Atomics.load(this.ctrl, ANSWER_HEAD);
    while (tail !== head) {
      const len = ring.readUInt32LE(tail);
      if (len === 0) {
        tail = 0;
        continue;
      }
      const id = ring.readUInt32LE(tail + 4);
      const status = ring[tail + 8];
      const p = this.pending.get(id);
      if (p) {
        this.pending.delete(id);
        p.resolve(
          status === 0 ? null : p.op.kind === 1 ? new Uint8Array(ring.subarray(tail + 12, tail + 76)) : status === 1,
        );
      }
      tail += len;
    }
    Atomics.store(this.ctrl, ANSWER_TAIL, tail);
    Atomics.notify(this.ctrl, ANSWER_TAIL);
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        name: 'hearthnet-signing',
        workerData: {
          ctrl: this.ctrl.buffer,
          jobs: this.jobs.buffer,
          answers: this.answers.buffer,
          sodiumPath: sodiumPath(),
        },
      });
      w.on('error', () => this.failOver());
      w.on('exit', () => this.failOver());
      w.unref();
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }

  /** The worker is gone: everything still waiting (and all later jobs) runs on node:crypto's pool. */
  private failOver(): void {
    if (this.broken) return;
    this.broken = true;
    this.worker = null;
    this.overflow = [];
    // Answers the worker wrote before it went are good; the rest is recomputed.
    this.readAnswers();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) void fallback(p.op).then(p.resolve);
  }
}

/** Where `sodium-native` is, for the worker to load (an evaluated worker resolves nothing itself); null if absent. */
function sodiumPath(): string | null {
  if (process.env.HEARTHNET_SIGNING_LANE_OPENSSL === '1') return null; // for A/B measurements
  try {
    return createRequire(import.meta.url).resolve('sodium-native');
  } catch {
    return null;
  }
}

/** KeyObjects of the fallback path, by key bytes: making one costs ~100 us here, more than a signature. */
const fallbackKeys = new Map<string, KeyObject>();
const FALLBACK_KEYS_MAX = 1024;

function fallbackKey(raw: Uint8Array, isPrivate: boolean): KeyObject {
  const id = (isPrivate ? 's' : 'p') + Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  let k = fallbackKeys.get(id);
  if (!k) {
    k = isPrivate
      ? createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' })
      : createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (fallbackKeys.size >= FALLBACK_KEYS_MAX) fallbackKeys.clear();
    fallbackKeys.set(id, k);
  }
  return k;
}

function fallback({ kind, key, data, sig }: Op): Promise<Answer> {
  return new Promise((resolve) => {
    try {
      if (kind === 1) {
        cryptoSign(null, data, fallbackKey(key, true), (err, s) => resolve(err ? null : new Uint8Array(s)));
      } else {
        if (!sig) {
          resolve(false);
          return;
        }
        cryptoVerify(null, data, fallbackKey(key, false), sig, (err, ok) => resolve(!err && ok));
      }
    } catch {
      resolve(kind === 1 ? null : false);
    }
  });
}

/** One lane per process (one core at most for request signatures); tests may make their own. */
export const signingLane = new SigningLane();
