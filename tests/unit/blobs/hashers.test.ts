/** The native BLAKE3 (@napi-rs/blake-hash) and the portable one (hash-wasm) must give the same ids. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blake3Impl, nativeBlake3, wasmBlake3 } from '../../../src-main/runtime/blobs';

describe('BLAKE3 hashers', () => {
  it('native and WASM agree on the reference vectors and on random data of awkward sizes', async () => {
    const native = await nativeBlake3();
    const wasm = await wasmBlake3();
    // This machine (linux x64) has a prebuilt binary; a platform without one falls back to WASM.
    expect(native?.kind).toBe('native');
    const enc = new TextEncoder();
    for (const impl of [native!, wasm]) {
      expect(impl.hex(new Uint8Array(0))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
      expect(impl.hex(enc.encode('abc'))).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    }
    // Around BLAKE3's 1 KiB chunk and SIMD-parallel boundaries, and whole 256 KiB pieces.
    for (const size of [1, 63, 64, 65, 1023, 1024, 1025, 2048, 4097, 16 * 1024 + 1, 100_000, 262_144, 262_145]) {
      const data = randomBytes(size);
      expect(native!.hex(data), `size ${size}`).toBe(wasm.hex(data));
      // A view into a larger buffer (how received records arrive) hashes only its own bytes.
      const padded = randomBytes(size + 32);
      data.copy(padded, 16);
      expect(native!.hex(padded.subarray(16, 16 + size)), `view of size ${size}`).toBe(wasm.hex(data));
    }
  });

  it('the process hasher is the native one unless HEARTHNET_BLAKE3=wasm', async () => {
    expect((await blake3Impl()).kind).toBe(process.env.HEARTHNET_BLAKE3 === 'wasm' ? 'wasm' : 'native');
  });
});
