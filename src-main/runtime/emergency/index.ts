/** M09 emergency mode: probes, the debounced online/degraded/offline detector, and its effects. */
export { StateBus, STATE_BUS_MAX_QUEUED, type EmergencyState, type StateListener } from './state';
export { realClock, type TimerClock } from './clock';
export { EmergencyError, EMERGENCY_ERROR_CODES, type EmergencyErrorCode } from './errors';
export {
  makeProbe,
  parseProbeTarget,
  httpReachable,
  resolveFirst,
  ipUrl,
  type ProbeFn,
  type ProbeOptions,
  type ProbeTarget,
  type TargetKind,
  type DnsResolver,
} from './probes';
export { Detector, classify, type DetectorOptions, type DetectorEffects, type DetectorLog } from './detector';
export {
  InternetCapabilityToggler,
  requiresInternet,
  modeGaugeHook,
  type InternetCapabilityTogglerOptions,
  type ToggleEntry,
  type ToggleDescriptor,
  type ModeGauge,
} from './effects';
