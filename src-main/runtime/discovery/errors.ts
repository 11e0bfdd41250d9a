/** M02 discovery errors (local only: never sent to a peer). */
import { defineDomainError } from '../../common';

export const DISCOVERY_ERROR_CODES = [
  'socket_in_use',
  'mdns_unavailable',
  'udp_unavailable',
  'manifest_fetch_failed',
  'manifest_invalid',
] as const;
export type DiscoveryErrorCode = (typeof DISCOVERY_ERROR_CODES)[number];
export const DiscoveryError = defineDomainError<DiscoveryErrorCode>('DiscoveryError', DISCOVERY_ERROR_CODES, {});
export type DiscoveryError = InstanceType<typeof DiscoveryError>;
