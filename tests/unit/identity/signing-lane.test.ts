import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  decodeSignature,
  generateKeyPair,
  SigningLane,
  signBytes,
  verifyBytes,
} from '../../../src-main/runtime/identity';

/** A worktree whose node_modules predates sodium-native runs the node:crypto path (same answers). */
function sodiumInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('sodium-native');
    return true;
  } catch {
    return false;
  }
}

const bytes = (s: string) => Buffer.from(s, 'utf8'); // a slice of node's shared pool, as in real use

describe('SigningLane', () => {
  it('signs on its thread exactly as node:crypto does on the loop', async () => {
    const lane = new SigningLane();
    const kp = generateKeyPair();
    const data = bytes('{"method":"POST","path":"/bus/v1/call"}');
    const sig = await lane.sign(kp.secretKey, data);
    expect(sig).toEqual(decodeSignature(signBytes(kp, data)));
  });

  it('does its maths with libsodium where sodium-native is installed (else node:crypto), same bytes', async () => {
    const lane = new SigningLane();
    const kp = generateKeyPair();
    const data = bytes('libsodium and OpenSSL agree');
    const sig = await lane.sign(kp.secretKey, data);
    expect(lane.backend).toBe(sodiumInstalled() ? 'libsodium' : 'node:crypto');
    expect(sig).toEqual(decodeSignature(signBytes(kp, data)));
    expect(verifyBytes(kp.nodeIdFull, data, `ed25519:${Buffer.from(sig).toString('base64url')}`)).toBe(true);
  });

  it('verifies good signatures and refuses tampered data, other keys and garbage', async () => {
    const lane = new SigningLane();
    const kp = generateKeyPair();
    const other = generateKeyPair();
    const data = bytes('hello neighbours');
    const sig = decodeSignature(signBytes(kp, data))!;
    expect(await lane.verify(kp.publicKey, data, sig)).toBe(true);
    expect(await lane.verify(kp.publicKey, bytes('hello neighbourz'), sig)).toBe(false);
    expect(await lane.verify(other.publicKey, data, sig)).toBe(false);
    expect(await lane.verify(kp.publicKey, data, new Uint8Array(64))).toBe(false);
    expect(await lane.verify(new Uint8Array(5), data, sig)).toBe(false);
  });

  it('answers every job of a burst, each with its own result', async () => {
    const lane = new SigningLane();
    const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    const jobs = Array.from({ length: 300 }, (_, i) => {
      const kp = keys[i % keys.length];
      const data = bytes(`request ${i}`);
      return lane
        .sign(kp.secretKey, data)
        .then((sig) => verifyBytes(kp.nodeIdFull, data, `ed25519:${Buffer.from(sig).toString('base64url')}`));
    });
    const checks = Array.from({ length: 300 }, (_, i) => {
      const kp = keys[i % keys.length];
      const data = bytes(`check ${i}`);
      const sig = decodeSignature(signBytes(kp, data))!;
      // Odd jobs carry the wrong data: exactly those must fail.
      return lane.verify(kp.publicKey, i % 2 ? bytes(`check ${i}!`) : data, sig).then((ok) => ok === (i % 2 === 0));
    });
    expect((await Promise.all(jobs)).every(Boolean)).toBe(true);
    expect((await Promise.all(checks)).every(Boolean)).toBe(true);
  });

  it('loses no wake-up when an answer lands while earlier ones are being read', async () => {
    const lane = new SigningLane();
    const kp = generateKeyPair();
    const data = bytes('burst');
    const sig = decodeSignature(signBytes(kp, data))!;
    let bursts = 0;
    // Small bursts, each awaited whole: the last answer of a burst has nothing after it to wake
    // the loop, so a wake-up lost in that window stalls the burst — and this says so.
    const stalled = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`stalled after ${bursts} of 600 bursts`)), 10_000).unref(),
    );
    const run = async () => {
      for (; bursts < 600; bursts++) {
        const answers = await Promise.all(
          Array.from({ length: 2 + (bursts % 3) }, () => lane.verify(kp.publicKey, data, sig)),
        );
        if (!answers.every(Boolean)) throw new Error('a good signature was refused');
      }
    };
    await Promise.race([run(), stalled]);
    expect(bursts).toBe(600);
  }, 15_000);

  it('takes a burst larger than its ring and answers all of it', async () => {
    const lane = new SigningLane();
    const kp = generateKeyPair();
    const data = Buffer.alloc(12 * 1024, 7); // ~20 of these fill the 256 KiB job ring
    const sig = decodeSignature(signBytes(kp, data))!;
    const answers = await Promise.all(Array.from({ length: 200 }, () => lane.verify(kp.publicKey, data, sig)));
    expect(answers.every((ok) => ok === true)).toBe(true);
  });

  it('falls back to node:crypto when its worker dies, losing no job', async () => {
    const lane = new SigningLane();
    const kp = generateKeyPair();
    await lane.sign(kp.secretKey, bytes('warm up'));
    const worker = (lane as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const inFlight = lane.sign(kp.secretKey, bytes('in flight'));
    await worker.terminate();
    expect(await inFlight).toEqual(decodeSignature(signBytes(kp, bytes('in flight'))));
    const data = bytes('after');
    const sig = await lane.sign(kp.secretKey, data);
    expect(await lane.verify(kp.publicKey, data, sig)).toBe(true);
    expect(await lane.verify(kp.publicKey, bytes('other'), sig)).toBe(false);
  });
});
