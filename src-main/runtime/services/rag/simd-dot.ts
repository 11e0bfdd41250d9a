/** A hand-assembled WebAssembly SIMD kernel: dot products of one query against every row of a matrix. */

/**
 * The module, in WAT (assembled by hand below — no toolchain needed at build or run time):
 *
 *   (memory (export "mem") 1)
 *   (func (export "scan") (param $q i32) (param $m i32) (param $rows i32) (param $strideBytes i32) (param $out i32)
 *     (local $i i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
 *     block  (br_if 0 (i32.eqz $rows))
 *     loop $row
 *       a0..a3 := 0 ; $i := 0
 *       loop $col                       ;; 16 floats per turn, four independent accumulators
 *         a0 += load(q+i) * load(m+i) ; a1 += @+16 ; a2 += @+32 ; a3 += @+48
 *         $i += 64 ; br_if $col ($i < $strideBytes)
 *       a0 := (a0 + a1) + (a2 + a3)
 *       f32.store $out (lane0 + lane1) + (lane2 + lane3)
 *       $m += $strideBytes ; $out += 4 ; $rows -= 1 ; br_if $row ($rows != 0)
 *     end end)
 *
 * Rows are padded to `strideBytes` (a multiple of 64 bytes = 16 floats) with zeros, so the kernel
 * needs no remainder loop; zero padding adds nothing to a dot product.
 */
const L = { q: 0, m: 1, rows: 2, stride: 3, out: 4, i: 5, a0: 6, a1: 7, a2: 8, a3: 9, x: 10, y: 11 } as const;

const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const simd = (op: number) => (op < 0x80 ? [0xfd, op] : [0xfd, (op & 0x7f) | 0x80, op >> 7]);
const V128_LOAD = (offset: number) => [...simd(0x00), 4, offset]; // align 2^4; offset < 128 fits one LEB byte
const F32X4_ADD = simd(0xe4);
const F32X4_MUL = simd(0xe6);
const lane = (n: number) => [...simd(0x1f), n]; // f32x4.extract_lane
const I32X4_ADD = simd(0xae);
const I32X4_DOT_I16X8 = simd(0xba);
const EXT_LO = simd(0x87); // i16x8.extend_low_i8x16_s
const EXT_HI = simd(0x88); // i16x8.extend_high_i8x16_s
const laneI32 = (n: number) => [...simd(0x1b), n]; // i32x4.extract_lane
const ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)]; // v128.const 0

/** acc += load(q + i + off) * load(m + i + off) */
function fma(acc: number, off: number): number[] {
  return [
    ...get(acc),
    ...get(L.q),
    ...get(L.i),
    0x6a,
    ...V128_LOAD(off),
    ...get(L.m),
    ...get(L.i),
    0x6a,
    ...V128_LOAD(off),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(acc),
  ];
}

/** acc += dot(q8[i+off..+16], m8[i+off..+16]) in i32 lanes: sign-extend to i16, then i32x4.dot_i16x8_s. */
function dot8(acc: number, off: number): number[] {
  return [
    ...get(acc),
    ...get(L.q),
    ...get(L.i),
    0x6a,
    ...V128_LOAD(off),
    0x22,
    L.x,
    ...EXT_LO,
    ...get(L.m),
    ...get(L.i),
    0x6a,
    ...V128_LOAD(off),
    0x22,
    L.y,
    ...EXT_LO,
    ...I32X4_DOT_I16X8,
    ...get(L.x),
    ...EXT_HI,
    ...get(L.y),
    ...EXT_HI,
    ...I32X4_DOT_I16X8,
    ...I32X4_ADD,
    ...I32X4_ADD,
    ...set(acc),
  ];
}

/** The row loop around a kernel: `step` consumes 64 bytes of the row per turn; results stored as f32 or i32. */
function body(kind: 'f32' | 'i8'): number[] {
  const accs = [L.a0, L.a1, L.a2, L.a3];
  const step = kind === 'f32' ? (a: number, off: number) => fma(a, off) : (a: number, off: number) => dot8(a, off);
  const ADD = kind === 'f32' ? F32X4_ADD : I32X4_ADD;
  const reduce =
    kind === 'f32'
      ? [
          ...get(L.a0),
          ...lane(0),
          ...get(L.a0),
          ...lane(1),
          0x92,
          ...get(L.a0),
          ...lane(2),
          ...get(L.a0),
          ...lane(3),
          0x92,
          0x92,
          0x38,
          2,
          0,
        ] // f32.add; f32.store
      : [
          ...get(L.a0),
          ...laneI32(0),
          ...get(L.a0),
          ...laneI32(1),
          0x6a,
          ...get(L.a0),
          ...laneI32(2),
          ...get(L.a0),
          ...laneI32(3),
          0x6a,
          0x6a,
          0x36,
          2,
          0,
        ]; // i32.add; i32.store
  return [
    2,
    1,
    0x7f,
    6,
    0x7b, // locals: 1 x i32 ($i), 6 x v128 (accumulators, two temporaries)
    0x02,
    0x40,
    ...get(L.rows),
    0x45,
    0x0d,
    0, // block; br_if 0 (rows == 0)
    0x03,
    0x40, // loop $row
    ...accs.flatMap((a) => [...ZERO, ...set(a)]),
    0x41,
    0,
    ...set(L.i),
    0x03,
    0x40, // loop $col
    ...step(L.a0, 0),
    ...step(L.a1, 16),
    ...step(L.a2, 32),
    ...step(L.a3, 48),
    ...get(L.i),
    0x41,
    0xc0,
    0x00,
    0x6a,
    0x22,
    L.i, // i += 64 (tee)
    ...get(L.stride),
    0x49,
    0x0d,
    0, // br_if $col (i < stride) [i32.lt_u]
    0x0b, // end $col
    ...get(L.a0),
    ...get(L.a1),
    ...ADD,
    ...get(L.a2),
    ...get(L.a3),
    ...ADD,
    ...ADD,
    ...set(L.a0),
    ...get(L.out),
    ...reduce,
    ...get(L.m),
    ...get(L.stride),
    0x6a,
    ...set(L.m),
    ...get(L.out),
    0x41,
    4,
    0x6a,
    ...set(L.out),
    ...get(L.rows),
    0x41,
    1,
    0x6b,
    0x22,
    L.rows, // rows -= 1 (tee)
    0x0d,
    0, // br_if $row (rows != 0): depth 0 is the loop
    0x0b, // end $row
    0x0b, // end block
    0x0b, // end func
  ];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const fns = [body('f32'), body('i8')];
  const name = (s: string) => [s.length, ...Buffer.from(s, 'latin1')];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // type: (i32 x5) -> ()
    ...section(3, [2, 0, 0]), // two functions of type 0
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page, no max
    ...section(7, [3, ...name('mem'), 0x02, 0, ...name('scan'), 0x00, 0, ...name('scan_i8'), 0x00, 1]),
    ...section(10, [2, ...fns.flatMap((f) => [...uleb(f.length), ...f])]),
  ]);
}

/** The kernel: `scan(qPtr, mPtr, rows, strideBytes, outPtr)` writes `rows` float32 dot products at `outPtr`. */
export interface SimdScanner {
  readonly memory: WebAssembly.Memory;
  /** float32 rows and query; writes float32 dot products. */
  scan(qPtr: number, mPtr: number, rows: number, strideBytes: number, outPtr: number): void;
  /** int8 rows and query (`strideBytes` a multiple of 64); writes int32 dot products. */
  scan_i8(qPtr: number, mPtr: number, rows: number, strideBytes: number, outPtr: number): void;
}

/** Floats per padded row: the kernel consumes 16 floats (64 bytes) per inner turn. */
export const SIMD_LANE_GROUP = 16;

let compiled: WebAssembly.Module | null | undefined;

/**
 * A fresh instance (own linear memory) of the kernel, or null when this runtime lacks
 * WebAssembly SIMD (callers fall back to the JavaScript scan). The module is compiled once.
 */
export function instantiateSimdScanner(): SimdScanner | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (compiled === null) return null;
  const exports = new WebAssembly.Instance(compiled).exports as {
    mem: WebAssembly.Memory;
    scan: SimdScanner['scan'];
    scan_i8: SimdScanner['scan_i8'];
  };
  return { memory: exports.mem, scan: exports.scan, scan_i8: exports.scan_i8 };
}
