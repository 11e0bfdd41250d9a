/**
 * M09 wiring: the detector's transitions change what this node offers. Offline, local
 * capabilities whose params say `requires_internet` leave the bus (and the manifest) and peer
 * pruning turns aggressive; back online, exactly those capabilities return.
 */
import type { Mode } from '../../common';
import type { CapabilityEntry } from '../bus';
import { Detector, modeGaugeHook, StateBus, type DetectorOptions } from '../emergency';
import { StartGate, type Startable } from '../lifecycle';
import type { Logger } from '../observability';
import type { NodeComponents } from './components';

export type EmergencyComponents = Pick<NodeComponents, 'bus' | 'peers' | 'metrics' | 'logger' | 'config'>;

export interface EmergencyInit {
  /** Told about every mode change (the node republishes its manifest). */
  readonly onMode: (mode: Mode) => void;
  /** Test hooks: probe, clock, debounce. */
  readonly detector?: Partial<DetectorOptions>;
}

export class EmergencyWiring implements Startable {
  readonly stateBus = new StateBus();
  readonly detector: Detector;
  readonly #log: Logger;
  readonly #held: CapabilityEntry[] = [];
  #offline = false;
  #unsubscribe: (() => void) | null = null;
  readonly #gate = new StartGate(
    () => this.#start(),
    () => this.#stop(),
  );

  constructor(
    private readonly c: EmergencyComponents,
    init: EmergencyInit,
  ) {
    const log = (this.#log = c.logger.forComponent('emergency'));
    const gauge = modeGaugeHook(c.metrics.std.emergencyMode);
    this.detector = new Detector({
      targets: c.config().emergency.probe_targets,
      stateBus: this.stateBus,
      log: { info: (m, x) => log.info(m, x), error: (m, x) => log.error(m, x) },
      ...init.detector,
      onModeChange: (mode) => {
        gauge(mode);
        init.onMode(mode);
      },
      effects: { onEnterOffline: () => this.#enterOffline(), onLeaveOffline: () => this.#leaveOffline() },
    });
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  stop(): Promise<void> {
    return this.#gate.stop();
  }

  mode(): Mode {
    return this.stateBus.current().mode;
  }

  #start(): void {
    // A service registering a cloud capability while we are offline (a late start, a reload) must
    // not slip past the withdrawal: hold it with the others until the internet is back.
    this.#unsubscribe = this.c.bus.registry.on('change', (ev) => {
      if (!this.#offline || ev.kind === 'removed' || !this.#needsInternet(ev.entry)) return;
      this.#log.info('holding a capability that needs the internet until it is back', {
        capability: ev.entry.descriptor.name,
      });
      this.#hold(ev.entry);
    });
    this.detector.start();
  }

  async #stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.detector.stop();
  }

  #needsInternet(e: CapabilityEntry): boolean {
    return e.is_local && e.descriptor.params.requires_internet === true;
  }

  #hold(e: CapabilityEntry): void {
    this.#held.push(e);
    this.c.bus.deregister(e.descriptor.name, e.descriptor.version, e.descriptor.params);
  }

  #enterOffline(): void {
    this.#offline = true;
    for (const e of this.c.bus.registry.allLocal()) if (this.#needsInternet(e)) this.#hold(e);
    this.c.peers.setPruningAggressive(true);
    this.#log.warn('internet is down: offline mode', { withdrawn: this.#held.map((e) => e.descriptor.name) });
  }

  #leaveOffline(): void {
    this.#offline = false;
    // The latest registration of an instance wins (a service may have re-registered it meanwhile).
    const latest = new Map(this.#held.splice(0).map((e) => [e.key, e]));
    for (const e of latest.values()) {
      // Only local entries are held (needsInternet), and a local entry has its handler.
      if (!e.handler) throw new Error(`held capability ${e.descriptor.name} has no handler`);
      this.c.bus.registerCapability(e.descriptor, e.handler, e.params_compatible ?? undefined);
    }
    this.c.peers.setPruningAggressive(false);
    this.#log.info('internet is back');
  }
}
