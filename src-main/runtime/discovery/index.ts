/** M02 discovery: peer registry, mDNS, signed UDP multicast announcements and unicast fallbacks. */
export { DISCOVERY_ERROR_CODES, DiscoveryError, type DiscoveryErrorCode } from './errors';
export * from './peers';
export * from './sighting';
export * from './timers';
export * from './backoff';
export * from './udp-packet';
export * from './udp';
export * from './mdns-records';
export * from './mdns';
export * from './known-peers';
export * from './discovery';
export * from './pacing';
