import { describe, expect, it } from 'vitest';
import { ChunkRecordParser, chunkRecordHeader, parseBlobChunksRequest } from '../../../src-main/runtime/transport';

const record = (index: number, data: Uint8Array) => Buffer.concat([chunkRecordHeader(index, data.length), data]);

describe('binary chunk records', () => {
  it('parse back whatever way the bytes are split on the wire', () => {
    const a = new Uint8Array(1000).map((_, i) => i % 251);
    const b = new Uint8Array(3).fill(7);
    const empty = new Uint8Array(0);
    const stream = Buffer.concat([record(5, a), record(0, empty), record(9, b)]);
    for (const step of [1, 3, 7, 8, 9, 500, stream.length]) {
      const p = new ChunkRecordParser(4096);
      const got: Array<{ index: number; data: Uint8Array }> = [];
      for (let i = 0; i < stream.length; i += step) {
        p.push(stream.subarray(i, i + step));
        // Copied as taken: a record's bytes are valid only until the next `next()`.
        for (let r = p.next(); r; r = p.next()) got.push({ index: r.index, data: new Uint8Array(r.data) });
      }
      expect(got.map((r) => r.index)).toEqual([5, 0, 9]);
      expect(Buffer.from(got[0].data).equals(Buffer.from(a))).toBe(true);
      expect(got[1].data.length).toBe(0);
      expect(Buffer.from(got[2].data).equals(Buffer.from(b))).toBe(true);
      expect(p.idle).toBe(true);
    }
  });

  it('refuses a record larger than allowed, and reports a cut-off record', () => {
    const big = new ChunkRecordParser(10);
    big.push(record(1, new Uint8Array(11)));
    expect(() => big.next()).toThrow(/more than 10/);
    const p = new ChunkRecordParser(100);
    p.push(record(1, new Uint8Array(50)).subarray(0, 20));
    expect(p.next()).toBeNull();
    expect(p.idle).toBe(false);
  });

  it('validates requests', () => {
    expect(parseBlobChunksRequest({ cid: 'blake3:ab', chunks: [0, 2] })).toEqual({ cid: 'blake3:ab', chunks: [0, 2] });
    for (const bad of [
      { cid: 1, chunks: [0] },
      { cid: 'x', chunks: [] },
      { cid: 'x', chunks: [-1] },
      { cid: 'x', chunks: [1.5] },
      { cid: 'x', chunks: Array(257).fill(0) },
    ]) {
      expect(() => parseBlobChunksRequest(bad as Record<string, unknown>)).toThrow(
        expect.objectContaining({ wireCode: 'bad_request' }),
      );
    }
  });
});
