/** A growable linear buffer laid out [query | row 0 | row 1 | ... | scores], backed by a SIMD kernel's memory or a plain ArrayBuffer. */
import { RagError } from './errors';
import type { SimdScanner } from './simd-dot';

const PAGE = 65536;

/**
 * Rows stay where they are when the buffer grows (WebAssembly memory grows in place), so appends
 * never copy the matrix there. Views are re-taken after a grow because the old ArrayBuffer detaches.
 */
export class ScanBuffer {
  /** Byte offset of row 0; the query occupies [0, base). */
  readonly base: number;
  /** Without a kernel: the rows live here (empty until the first reserve). */
  private plain = new ArrayBuffer(0);
  private f32 = new Float32Array(0);
  private i8 = new Int8Array(0);
  private i32 = new Int32Array(0);

  constructor(
    readonly kernel: SimdScanner | null,
    /** Bytes per stored row (a multiple of 64 for the SIMD kernels). */
    readonly rowBytes: number,
    /** Bytes per score in the scores area (4: f32 or i32). */
    private readonly scoreBytes = 4,
  ) {
    this.base = rowBytes;
  }

  /** Makes room for `rows` rows and their scores, keeping existing rows in place. */
  reserve(rows: number): void {
    const need = this.base + rows * (this.rowBytes + this.scoreBytes);
    try {
      if (this.kernel) {
        const mem = this.kernel.memory;
        if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
      } else if (this.plain.byteLength < need) {
        const next = new ArrayBuffer(Math.ceil(need / PAGE) * PAGE);
        new Uint8Array(next).set(new Uint8Array(this.plain));
        this.plain = next;
      }
    } catch (cause) {
      throw new RagError(
        'io_error',
        `Not enough memory to hold ${rows} vectors for search (${Math.round((need / 2 ** 20) * 10) / 10} MiB); close other programs or split the corpus.`,
        { cause },
      );
    }
  }

  private buffer(): ArrayBuffer {
    return this.kernel ? this.kernel.memory.buffer : this.plain;
  }

  floats(): Float32Array {
    const b = this.buffer();
    if (this.f32.buffer !== b) this.f32 = new Float32Array(b);
    return this.f32;
  }

  bytes(): Int8Array {
    const b = this.buffer();
    if (this.i8.buffer !== b) this.i8 = new Int8Array(b);
    return this.i8;
  }

  ints(): Int32Array {
    const b = this.buffer();
    if (this.i32.buffer !== b) this.i32 = new Int32Array(b);
    return this.i32;
  }

  /** Byte offset of row `r`. */
  row(r: number): number {
    return this.base + r * this.rowBytes;
  }

  /** Byte offset of the scores area when the buffer holds `n` rows. */
  scores(n: number): number {
    return this.base + n * this.rowBytes;
  }

  /** Moves row `from` onto row `to` (compaction). */
  move(from: number, to: number): void {
    new Uint8Array(this.buffer()).copyWithin(this.row(to), this.row(from), this.row(from) + this.rowBytes);
  }
}
