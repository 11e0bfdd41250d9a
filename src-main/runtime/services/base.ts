/** M03 §4 of ../shared/spec/hearthnet-reference.md: what every service (llm, embedding, rag, file, marketplace, chat) implements. */
import type { CapabilityProvider, ServiceCapability } from '../bus';

export type { ServiceCapability };

/**
 * A long-lived part that offers capabilities on the bus. The composition root calls
 * `start()`, then `bus.registerService(service)`; on shutdown `bus.deregisterService(service)`,
 * then `stop()`. Both `start` and `stop` are idempotent.
 */
export interface Service extends CapabilityProvider {
  readonly name: string;
  readonly version: string;
  /** The instances to register (one per model/corpus where params differ). */
  capabilities(): ServiceCapability[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Free-form status for the doctor and the UI (e.g. `{ ok: true, models: 2 }`). */
  health(): Record<string, unknown> | Promise<Record<string, unknown>>;
}
