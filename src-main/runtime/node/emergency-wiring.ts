/**
 * M09 wiring: the detector's transitions change what this node offers. Offline, local
 * capabilities whose params say `requires_internet` leave the bus (and the manifest) and peer
 * pruning turns aggressive; back online, exactly those capabilities return.
 */
import type { Mode } from '../../common';
import type { CapabilityBus, CapabilityEntry } from '../bus';
import { Detector, modeGaugeHook, StateBus, type DetectorOptions } from '../emergency';
import type { PeerRegistry } from '../discovery';
import type { Logger, Metrics } from '../observability';

export interface EmergencyWiringDeps {
  readonly targets: readonly string[];
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Told about every mode change (the node republishes its manifest). */
  readonly onMode: (mode: Mode) => void;
  /** Test hooks: probe, clock, debounce. */
  readonly detector?: Partial<DetectorOptions>;
}

export interface EmergencyWiring {
  readonly stateBus: StateBus;
  readonly detector: Detector;
  mode(): Mode;
  stop(): Promise<void>;
}

export function startEmergency(d: EmergencyWiringDeps): EmergencyWiring {
  const held: CapabilityEntry[] = [];
  let offline = false;
  const needsInternet = (e: CapabilityEntry) => e.is_local && e.descriptor.params.requires_internet === true;
  const hold = (e: CapabilityEntry) => {
    held.push(e);
    d.bus.deregister(e.descriptor.name, e.descriptor.version, e.descriptor.params);
  };
  // A service registering a cloud capability while we are offline (a late start, a reload) must
  // not slip past the withdrawal: hold it with the others until the internet is back.
  const unsubscribe = d.bus.registry.on('change', (ev) => {
    if (!offline || ev.kind === 'removed' || !needsInternet(ev.entry)) return;
    d.log.info('holding a capability that needs the internet until it is back', {
      capability: ev.entry.descriptor.name,
    });
    hold(ev.entry);
  });
  const gauge = modeGaugeHook(d.metrics.std.emergencyMode);
  const stateBus = new StateBus();
  const detector = new Detector({
    targets: d.targets,
    stateBus,
    log: { info: (m, x) => d.log.info(m, x), error: (m, x) => d.log.error(m, x) },
    ...d.detector,
    onModeChange: (mode) => {
      gauge(mode);
      d.onMode(mode);
    },
    effects: {
      onEnterOffline: () => {
        offline = true;
        for (const e of d.bus.registry.allLocal()) if (needsInternet(e)) hold(e);
        d.peers.setPruningAggressive(true);
        d.log.warn('internet is down: offline mode', { withdrawn: held.map((e) => e.descriptor.name) });
      },
      onLeaveOffline: () => {
        offline = false;
        // The latest registration of an instance wins (a service may have re-registered it meanwhile).
        const latest = new Map(held.splice(0).map((e) => [e.key, e]));
        for (const e of latest.values()) {
          // Only local entries are held (needsInternet), and a local entry has its handler.
          if (!e.handler) throw new Error(`held capability ${e.descriptor.name} has no handler`);
          d.bus.registerCapability(e.descriptor, e.handler, e.params_compatible ?? undefined);
        }
        d.peers.setPruningAggressive(false);
        d.log.info('internet is back');
      },
    },
  });
  detector.start();
  return {
    stateBus,
    detector,
    mode: () => stateBus.current().mode,
    stop: async () => {
      unsubscribe();
      await detector.stop();
    },
  };
}
