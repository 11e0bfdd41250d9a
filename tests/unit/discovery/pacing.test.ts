import { describe, expect, it } from 'vitest';
import {
  MANIFEST_REFRESH_SPACING_MS,
  PEER_MAX_AGE_SECONDS,
  UDP_ACTIVE_SLOT_MS,
  UDP_STABLE_SLOT_MS,
  livenessProbeMs,
  manifestRefreshMs,
  peerMaxAgeSeconds,
  udpAnnounceMs,
} from '../../../src-main/runtime/discovery';

describe('discovery pacing keeps a node’s cost flat in the size of the street', () => {
  it.each([2, 10, 25, 50, 100, 200])('with %i peers', (n) => {
    // Manifest refetches one node makes per second, all peers together.
    expect(n / manifestRefreshMs(n)).toBeLessThanOrEqual(1 / MANIFEST_REFRESH_SPACING_MS);
    // UDP announcements one node receives per second (every other node announces once per period).
    expect(n / udpAnnounceMs(n, false)).toBeLessThanOrEqual(1 / UDP_STABLE_SLOT_MS);
    expect(n / udpAnnounceMs(n, true)).toBeLessThanOrEqual(1 / UDP_ACTIVE_SLOT_MS);
    // A live peer is never pruned between two of its stable announcements (three may be lost).
    expect(peerMaxAgeSeconds(n) * 1000).toBeGreaterThanOrEqual(3 * udpAnnounceMs(n, false));
    expect(peerMaxAgeSeconds(n)).toBeGreaterThanOrEqual(PEER_MAX_AGE_SECONDS);
    // A silent peer is probed at least once before it could be pruned.
    expect(livenessProbeMs(n)).toBeLessThan(peerMaxAgeSeconds(n) * 1000);
  });

  it('small streets keep the reference paces', () => {
    expect(udpAnnounceMs(3, false)).toBe(30_000);
    expect(udpAnnounceMs(3, true)).toBe(5_000);
    expect(manifestRefreshMs(3)).toBe(60_000);
    expect(peerMaxAgeSeconds(3)).toBe(90);
  });
});
