/**
 * Helpers for the node's transition effects: take `requires_internet` capabilities off the bus
 * while offline and put exactly those back afterwards, and keep hearthnet_emergency_mode current.
 */
import { MODES, type Mode } from '../../common';

/** The descriptor fields the toggler reads; the bus's CapabilityDescriptor satisfies it. */
export interface ToggleDescriptor {
  readonly name: string;
  readonly version: unknown;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Anything listed by the bus with its descriptor (a registry entry with its handler, say). */
export interface ToggleEntry {
  readonly descriptor: ToggleDescriptor;
}

export interface InternetCapabilityTogglerOptions<E extends ToggleEntry> {
  /** Current local capabilities, each with whatever `register` needs to put it back. */
  list(): readonly E[];
  deregister(name: string, version: E['descriptor']['version']): void | Promise<void>;
  register(entry: E): void | Promise<void>;
}

/** True when a descriptor says it needs the internet (`params.requires_internet === true`). */
export function requiresInternet(d: ToggleDescriptor): boolean {
  return d.params?.requires_internet === true;
}

/**
 * Remembers the capabilities it deregistered and restores exactly those. Plain callbacks so
 * the bus can be wired later. Calling `disable` twice does not lose or duplicate anything.
 */
export class InternetCapabilityToggler<E extends ToggleEntry> {
  private removed: E[] = [];

  constructor(private readonly opts: InternetCapabilityTogglerOptions<E>) {}

  /** Deregister every listed capability that requires the internet; returns how many. */
  async disable(): Promise<number> {
    const targets = this.opts.list().filter((e) => requiresInternet(e.descriptor));
    for (const e of targets) {
      await this.opts.deregister(e.descriptor.name, e.descriptor.version);
      this.removed.push(e);
    }
    return targets.length;
  }

  /** Re-register what `disable` removed (in the same order); returns how many. */
  async restore(): Promise<number> {
    const todo = this.removed;
    this.removed = [];
    let done = 0;
    try {
      for (const e of todo) {
        await this.opts.register(e);
        done += 1;
      }
    } finally {
      // Keep whatever failed to come back so a later restore() tries again.
      this.removed = [...todo.slice(done), ...this.removed];
    }
    return done;
  }

  /** Names@versions currently held back (for status output). */
  held(): readonly E[] {
    return [...this.removed];
  }
}

/** The prom-client Gauge surface used here. */
export interface ModeGauge {
  set(labels: { state: string }, value: number): void;
}

/** `onModeChange` for the Detector: 1 on the current mode's series, 0 on the others. */
export function modeGaugeHook(gauge: ModeGauge): (mode: Mode) => void {
  return (mode) => {
    for (const m of MODES) gauge.set({ state: m }, m === mode ? 1 : 0);
  };
}
