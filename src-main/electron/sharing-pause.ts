/**
 * "Pause sharing": this computer stops lending its AI (language models, embeddings, document
 * search) to the neighbours until resumed; chat, the market, files and the event log go on. The
 * capabilities leave the bus, so the manifest stops advertising them (as emergency mode does with
 * cloud capabilities), and come back exactly as they were. Not persisted: a restart resumes sharing.
 */
import type { CapabilityBus, CapabilityEntry } from '../runtime/bus';

/** Capability namespaces a pause withdraws. */
export const PAUSABLE_NAMESPACES = ['llm.', 'embed.', 'rag.'] as const;

export function isPausable(name: string): boolean {
  return PAUSABLE_NAMESPACES.some((ns) => name.startsWith(ns));
}

export type PausableBus = Pick<CapabilityBus, 'registry' | 'deregister' | 'registerCapability'>;

export class SharingPause {
  private held: CapabilityEntry[] = [];
  private paused = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly bus: PausableBus) {}

  isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const e of this.bus.registry.allLocal()) if (isPausable(e.descriptor.name)) this.hold(e);
    // A model that finishes loading while paused is held too.
    this.unsubscribe = this.bus.registry.on('change', (ev) => {
      if (ev.kind !== 'removed' && ev.entry.is_local && isPausable(ev.entry.descriptor.name)) this.hold(ev.entry);
    });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const latest = new Map(this.held.splice(0).map((e) => [e.key, e]));
    for (const e of latest.values())
      if (e.handler) this.bus.registerCapability(e.descriptor, e.handler, e.params_compatible ?? undefined);
  }

  private hold(e: CapabilityEntry): void {
    this.held.push(e);
    this.bus.deregister(e.descriptor.name, e.descriptor.version, e.descriptor.params);
  }
}
