/** M03 §4 of ../shared/spec/hearthnet-reference.md: what every service (llm, embedding, rag, file, marketplace, chat) implements. */
import type { CapabilityBus, CapabilityProvider, OfferedCapability, ServiceCapability } from '../bus';
import type { Startable } from '../lifecycle';

export type { OfferedCapability, ServiceCapability };

/**
 * A long-lived part that offers capabilities on the bus, and the only way one reaches it: the
 * composition root calls `start()`, then `bus.registerService(service)`; on shutdown
 * `bus.deregisterService(service)`, then `stop()` (`node/service-registration.ts` does both).
 * Both `start` and `stop` are idempotent (the `Startable` contract).
 */
export interface Service extends CapabilityProvider, Startable {
  readonly name: string;
  readonly version: string;
  /** The instances to register (one per model/corpus where params differ). */
  capabilities(): readonly OfferedCapability[];
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Free-form status for the doctor and the UI (e.g. `{ ok: true, models: 2 }`). */
  health(): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** What a service needs of the bus to be offered on it. */
export type ServiceHost = Pick<CapabilityBus, 'registerService' | 'deregisterService'>;

/**
 * The one registration path: start the service, then offer its capabilities. Returns how to undo
 * both (withdraw the capabilities first, so no call arrives at a stopping service, then stop it).
 * If registration fails the service is stopped again and the error rethrown.
 */
export async function offerService(bus: ServiceHost, service: Service): Promise<() => Promise<void>> {
  await service.start();
  try {
    bus.registerService(service);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return async () => {
    bus.deregisterService(service);
    await service.stop();
  };
}
