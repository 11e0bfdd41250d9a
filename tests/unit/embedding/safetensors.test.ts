import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../../src-main/runtime/services/embedding';

function build(
  entries: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>,
  headerOverride?: string,
): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [k, v] of Object.entries(entries)) {
    header[k] = { dtype: v.dtype, shape: v.shape, data_offsets: [off, off + v.bytes.length] };
    off += v.bytes.length;
  }
  const json = new TextEncoder().encode(headerOverride ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const v of Object.values(entries)) {
    out.set(v.bytes, p);
    p += v.bytes.length;
  }
  return out;
}
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('parseSafetensors', () => {
  it('decodes F32, F64, I32 and F16 (half floats widened to float32)', () => {
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0000]); // 1, -2, ~0.3333, 0
    const t = parseSafetensors(
      build({
        a: { dtype: 'F32', shape: [2, 2], bytes: bytes(new Float32Array([1, 2, 3, 4])) },
        b: { dtype: 'F64', shape: [3], bytes: bytes(new Float64Array([0.5, -1.25, 1e-9])) },
        c: { dtype: 'I32', shape: [2], bytes: bytes(new Int32Array([7, -3])) },
        d: { dtype: 'F16', shape: [4], bytes: bytes(f16) },
      }),
    );
    expect(Array.from(t.get('a')!.data)).toEqual([1, 2, 3, 4]);
    expect(t.get('a')!.shape).toEqual([2, 2]);
    expect(Array.from(t.get('b')!.data)).toEqual([0.5, -1.25, 1e-9]);
    expect(Array.from(t.get('c')!.data)).toEqual([7, -3]);
    const d = Array.from(t.get('d')!.data);
    expect(d[0]).toBe(1);
    expect(d[1]).toBe(-2);
    expect(d[2]).toBeCloseTo(1 / 3, 3);
    expect(d[3]).toBe(0);
  });

  it('rejects damaged files with model_invalid', () => {
    const ok = { a: { dtype: 'F32', shape: [2], bytes: bytes(new Float32Array([1, 2])) } };
    expect(() => parseSafetensors(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'model_invalid' }));
    expect(() => parseSafetensors(build(ok, '{not json'))).toThrow(expect.objectContaining({ code: 'model_invalid' }));
    expect(() => parseSafetensors(build({ a: { dtype: 'BF16', shape: [2], bytes: new Uint8Array(4) } }))).toThrow(
      /unsupported dtype BF16/,
    );
    expect(() => parseSafetensors(build({ a: { dtype: 'F32', shape: [3], bytes: new Uint8Array(8) } }))).toThrow(
      /does not match its shape/,
    );
    const truncated = build(ok).subarray(0, 20);
    expect(() => parseSafetensors(truncated)).toThrow(expect.objectContaining({ code: 'model_invalid' }));
  });
});
