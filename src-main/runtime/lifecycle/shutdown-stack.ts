/**
 * Undo steps for what has started, run newest first, best-effort: a failing step is logged and
 * the rest still run (ARCHITECTURE §3). The Node and the community scope keep one each.
 */
import { errorMessage } from '../../common/error-message';
import type { Logger } from '../observability/logger';

export class ShutdownStack {
  private readonly steps: Array<{ name: string; stop: () => unknown }> = [];
  private unwinding: Promise<void> | null = null;

  constructor(private readonly log: Pick<Logger, 'warn'>) {}

  /** Register how to undo something that has just started. */
  push(name: string, stop: () => unknown): void {
    this.steps.push({ name, stop });
  }

  /** How many undo steps are registered. */
  get size(): number {
    return this.steps.length;
  }

  /**
   * Run every registered stop step, newest first. Idempotent: concurrent calls share one run;
   * once it has finished the stack is empty and may be filled again (a part started anew).
   */
  unwind(): Promise<void> {
    this.unwinding ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.stop();
        } catch (err) {
          this.log.warn(`stopping ${step.name} failed`, { error: errorMessage(err) });
        }
      }
    })().finally(() => {
      this.unwinding = null;
    });
    return this.unwinding;
  }
}
