/** Bridges push-style callbacks (onTextChunk) to a pull-style async iterator of text pieces. */

/**
 * Single-producer, single-consumer queue. The producer pushes text and finally `end()`s or `fail()`s;
 * the consumer iterates. `onPressure(true)` fires when `highWater` pieces wait unread and
 * `onPressure(false)` once the consumer drained them, so a producer that can pause may do so.
 */
export class TokenQueue {
  private readonly items: string[] = [];
  private done = false;
  /** The failure that ended generation (boxed: any value may be thrown). */
  private error: { err: unknown } | null = null;
  private wake: (() => void) | null = null;
  private pressured = false;

  constructor(
    private readonly highWater = 256,
    private readonly onPressure: (on: boolean) => void = () => {},
  ) {}

  push(text: string): void {
    if (this.done || text === '') return;
    this.items.push(text);
    if (!this.pressured && this.items.length >= this.highWater) {
      this.pressured = true;
      this.onPressure(true);
    }
    this.signal();
  }

  end(): void {
    this.done = true;
    this.signal();
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.error = { err: err ?? new Error('generation failed') };
    this.done = true;
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    for (;;) {
      for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
        if (this.pressured && this.items.length === 0) {
          this.pressured = false;
          this.onPressure(false);
        }
        yield item;
      }
      if (this.done) {
        if (this.error) throw this.error.err;
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}
