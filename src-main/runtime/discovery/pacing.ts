/**
 * How discovery traffic is paced so that a node's cost does not grow with the size of the street:
 * every periodic per-peer or per-segment action stretches its period with the number of peers,
 * so what each node sends and receives per second stays about constant (the idea of RTCP's
 * report interval scaling, RFC 3550 §6.2 of ../shared/spec/hearthnet-reference.md). Liveness is kept by any proof of life (a sighting, a
 * signed sync exchange), not only by refetching manifests.
 */
import { DISCOVERY_UDP_INTERVAL_SECONDS, MANIFEST_REPUBLISH_INTERVAL_SECONDS } from '../../common';
import { PEER_MAX_AGE_SECONDS } from './peers';

/**
 * A known peer's manifest is refetched at most this often. Not the 20 s republish pace: liveness
 * comes from sightings and sync exchanges, and what must spread at once (endpoints, capabilities)
 * travels in `node.manifest.updated` events; a refetch (~4 KB) only refreshes load figures.
 */
export const MANIFEST_REFRESH_MIN_MS = 3 * MANIFEST_REPUBLISH_INTERVAL_SECONDS * 1000;
/** ...and no more than one refetch per this many ms per node, all peers together. */
export const MANIFEST_REFRESH_SPACING_MS = 15_000;
/** Stable UDP announcements on the whole segment: about one per this many ms, all nodes together. */
export const UDP_STABLE_SLOT_MS = 1_000;
/** While peers come and go: about one announcement per this many ms on the segment. */
export const UDP_ACTIVE_SLOT_MS = 200;

/** Period of one peer's manifest refresh with `peers` peers known. */
export function manifestRefreshMs(peers: number): number {
  return Math.max(MANIFEST_REFRESH_MIN_MS, peers * MANIFEST_REFRESH_SPACING_MS);
}

/** Our UDP announcement period with `peers` peers known. */
export function udpAnnounceMs(peers: number, churning: boolean): number {
  return churning
    ? Math.max(DISCOVERY_UDP_INTERVAL_SECONDS.active * 1000, (peers + 1) * UDP_ACTIVE_SLOT_MS)
    : Math.max(DISCOVERY_UDP_INTERVAL_SECONDS.stable * 1000, (peers + 1) * UDP_STABLE_SLOT_MS);
}

/** A peer unseen this long is pruned: three stable announcement periods, never less than the default. */
export function peerMaxAgeSeconds(peers: number): number {
  return Math.max(PEER_MAX_AGE_SECONDS, Math.ceil((3 * udpAnnounceMs(peers, false)) / 1000));
}

/**
 * A peer nothing has proven alive (no sighting, no sync exchange) for this long is probed with a
 * manifest fetch, so a peer reachable by unicast only (Wi-Fi client isolation) is not pruned.
 */
export function livenessProbeMs(peers: number): number {
  return (peerMaxAgeSeconds(peers) * 1000) / 2;
}
