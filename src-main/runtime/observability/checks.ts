/** The standard doctor checks of §6.2 of ../shared/spec/hearthnet-reference.md whose subject exists so far, registered in order. */
import { clockSanity, recentErrorRate } from './checks-health';
import { mdnsSocketCheck, transportPort, udpMulticastCheck } from './checks-network';
import {
  communityPresent,
  diskSpaceCheck,
  eventLogWritable,
  keysLoadable,
  keysPresent,
  type DiskSpaceOptions,
} from './checks-storage';
import type { Doctor } from './doctor';

/** Names registered by `registerStandardChecks`, in order. at_least_one_capability and llm_backend_reachable are registered by the bus and LLM service. */
export const STANDARD_CHECK_NAMES = Object.freeze([
  'keys_present',
  'keys_loadable',
  'community_present',
  'event_log_writable',
  'mdns_socket',
  'udp_multicast',
  'transport_port',
  'disk_space',
  'clock_sanity',
  'recent_error_rate',
] as const);

export interface StandardCheckOptions {
  /** Interface address to join the discovery group on (default: the system's choice). */
  readonly multicastInterface?: string;
  /** Override the mDNS port (tests). */
  readonly mdnsPort?: number;
  readonly disk?: DiskSpaceOptions;
}

export function registerStandardChecks(doctor: Doctor, opts: StandardCheckOptions = {}): void {
  doctor.register('keys_present', keysPresent);
  doctor.register('keys_loadable', keysLoadable);
  doctor.register('community_present', communityPresent);
  doctor.register('event_log_writable', eventLogWritable);
  doctor.register('mdns_socket', mdnsSocketCheck({ port: opts.mdnsPort }));
  doctor.register('udp_multicast', udpMulticastCheck({ interfaceAddress: opts.multicastInterface }));
  doctor.register('transport_port', transportPort);
  doctor.register('disk_space', diskSpaceCheck(opts.disk));
  doctor.register('clock_sanity', clockSanity);
  doctor.register('recent_error_rate', recentErrorRate);
}
