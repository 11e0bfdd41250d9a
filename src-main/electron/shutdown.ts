/**
 * The one way the desktop app stops, whatever asked (Quit, OS logout or shutdown, SIGTERM): each step
 * once, in order, each bounded in time and guarded so one failure never skips the rest. The node's
 * own stop closes its databases and removes its runtime file.
 */

import { errorMessage } from '../common';

export interface ShutdownStep {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

export interface ShutdownLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A step that takes longer is abandoned so the app still quits (the OS kills a hung app at logout). */
export const SHUTDOWN_STEP_TIMEOUT_MS = 15_000;

export class Shutdown {
  private running: Promise<void> | null = null;
  private reasonSeen: string | null = null;

  constructor(
    private readonly steps: readonly ShutdownStep[],
    private readonly log: ShutdownLog,
    private readonly stepTimeoutMs = SHUTDOWN_STEP_TIMEOUT_MS,
  ) {}

  get started(): boolean {
    return this.running !== null;
  }

  get reason(): string | null {
    return this.reasonSeen;
  }

  /** Runs the steps once; later calls (a second Quit, SIGTERM during quit) wait for the same run. */
  run(reason: string): Promise<void> {
    if (this.running) return this.running;
    this.reasonSeen = reason;
    this.log.info('shutting down', { reason });
    this.running = (async () => {
      for (const step of this.steps) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(step.run),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`${step.name} took longer than ${this.stepTimeoutMs} ms`)),
                this.stepTimeoutMs,
              );
            }),
          ]);
        } catch (err) {
          this.log.error('shutdown step failed; going on with the rest', {
            step: step.name,
            error: errorMessage(err),
          });
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.running;
  }
}

/** Signals that end the app cleanly: SIGTERM (OS logout or shutdown on Linux and macOS, `kill`), SIGINT (Ctrl+C), SIGHUP (terminal closed). */
export const QUIT_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Routes those signals to `quit` (the one shutdown); returns the function that stops listening. */
export function quitOnSignals(proc: Pick<NodeJS.Process, 'on' | 'off'>, quit: (reason: string) => void): () => void {
  const handlers = QUIT_SIGNALS.map((signal) => [signal, () => quit(signal)] as const);
  for (const [signal, fn] of handlers) proc.on(signal, fn);
  return () => {
    for (const [signal, fn] of handlers) proc.off(signal, fn);
  };
}
