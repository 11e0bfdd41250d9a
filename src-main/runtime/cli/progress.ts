/**
 * Progress for long CLI operations, on stderr (stdout stays clean for results and --json): a bar
 * redrawn in place on a terminal, plain "label: 40%" lines (every 10 %) when piped or logged.
 */

/** Width of the bar in characters. */
export const PROGRESS_BAR_WIDTH = 28;
/** Least time between two redraws of the bar, ms. */
export const PROGRESS_REDRAW_MS = 80;
/** Plain-output step: a line each time the percentage crosses a multiple of this. */
export const PROGRESS_LINE_STEP_PERCENT = 10;

export interface ProgressOptions {
  readonly label: string;
  /** Default process.stderr. */
  readonly out?: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Show amounts as bytes (KB, MB) rather than counts. */
  readonly bytes?: boolean;
  /** Print nothing at all (e.g. `--quiet`). */
  readonly silent?: boolean;
}

/** 1536 -> "1.5 KB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export class ProgressBar {
  private readonly out: NonNullable<ProgressOptions['out']>;
  private readonly tty: boolean;
  private label: string;
  private lastDraw = -Infinity;
  private lastStep = -1;
  private drawn = false;

  constructor(private readonly opts: ProgressOptions) {
    this.out = opts.out ?? process.stderr;
    this.tty = !!this.out.isTTY;
    this.label = opts.label;
  }

  /** Report `current` of `total` (total null or 0: unknown); `label` changes the stage shown. */
  update(current: number, total: number | null, label?: string): void {
    if (this.opts.silent) return;
    const stageChanged = label !== undefined && label !== this.label;
    if (label !== undefined) this.label = label;
    const known = total !== null && total > 0;
    const pct = known ? Math.min(100, Math.floor((current / total) * 100)) : null;
    const amount = (n: number) => (this.opts.bytes ? formatBytes(n) : String(n));
    const of = known ? `${amount(current)} / ${amount(total)}` : amount(current);
    if (this.tty) {
      const now = performance.now();
      if (!stageChanged && pct !== 100 && now - this.lastDraw < PROGRESS_REDRAW_MS) return;
      this.lastDraw = now;
      const filled = pct === null ? 0 : Math.round((pct / 100) * PROGRESS_BAR_WIDTH);
      const bar =
        pct === null
          ? ''
          : `[${'#'.repeat(filled)}${'-'.repeat(PROGRESS_BAR_WIDTH - filled)}] ${String(pct).padStart(3)}%  `;
      const line = `${this.label}  ${bar}${of}`;
      const width = Math.max(20, (this.out.columns ?? 80) - 1);
      this.out.write(`\r\x1b[2K${line.slice(0, width)}`);
      this.drawn = true;
      return;
    }
    if (pct === null) return;
    const step = Math.floor(pct / PROGRESS_LINE_STEP_PERCENT);
    if (!stageChanged && step === this.lastStep) return;
    this.lastStep = step;
    this.out.write(`${this.label}: ${pct}% (${of})\n`);
  }

  /** Ends the bar's line (call before printing anything else). Idempotent. */
  finish(): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
