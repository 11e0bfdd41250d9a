/** UdpAnnouncer pacing with injected timers and clock: 5 s while peers churn, 30 s once quiet. */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  PeerRegistry,
  UDP_NEW_PEER_REANNOUNCE_MS,
  UDP_STARTUP_REANNOUNCE_MS,
  UdpAnnouncer,
  type PeerRecord,
  type Timers,
} from '../../../src-main/runtime/discovery';

/** Manual timers: nothing runs until the test fires it. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let id = 0;
  const timers: Timers = {
    setTimeout(fn, ms) {
      pending.set(++id, { fn, ms });
      return id;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  const fireNext = () => {
    const [k, t] = [...pending.entries()][0];
    pending.delete(k);
    t.fn();
    return t.ms;
  };
  return { timers, pending, fireNext, delays: () => [...pending.values()].map((t) => t.ms) };
}

const community = generateKeyPair().nodeIdFull;
let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

function peerRecord(id: string): PeerRecord {
  return {
    node_id: id as never,
    node_id_full: id as never,
    display_name: 'p',
    community_id: community,
    profile: 'hearth',
    endpoints: [],
    manifest: null,
    last_seen: 0,
    rtt_ms: null,
    source: 'udp',
  };
}

describe('UdpAnnouncer pacing', () => {
  it('announces every 5 s while peers churn, every 30 s after a quiet minute, and soon after a new peer', async () => {
    const kp = generateKeyPair();
    const clock = { t: 1_800_000_000_000 };
    const registry = new PeerRegistry(kp.nodeIdFull, community, { now: () => clock.t });
    const mt = manualTimers();
    const a = new UdpAnnouncer({
      kp,
      registry,
      communityId: community,
      displayName: 'A',
      profile: 'hearth',
      servicePort: 8443,
      capabilityNames: [],
      group: '239.255.123.45',
      port: 45_999,
      interfaceAddress: '127.0.0.1',
      timers: mt.timers,
      now: () => clock.t,
    });
    await a.start();
    stop = () => a.stop();
    expect(mt.delays()).toEqual([UDP_STARTUP_REANNOUNCE_MS]); // a quick second announcement
    clock.t += UDP_STARTUP_REANNOUNCE_MS;
    mt.fireNext();
    expect(mt.delays()).toEqual([5_000]); // start counts as churn
    clock.t += 4_000;
    mt.fireNext();
    for (let i = 0; i < 10; i++) {
      clock.t += 5_000;
      mt.fireNext();
    }
    expect(mt.delays()).toEqual([5_000]); // 55 s after start: still active
    clock.t += 5_000;
    mt.fireNext();
    expect(mt.delays()).toEqual([30_000]); // a quiet minute: stable
    clock.t += 1_000;
    registry.upsert(peerRecord(generateKeyPair().nodeIdFull));
    expect(mt.delays()).toEqual([UDP_NEW_PEER_REANNOUNCE_MS]);
    clock.t += UDP_NEW_PEER_REANNOUNCE_MS;
    mt.fireNext();
    expect(mt.delays()).toEqual([5_000]); // churn again: active
    a.update({ capabilityNames: ['llm.chat'] });
    expect(mt.delays()).toEqual([5_000]); // update sends at once and reschedules, one timer only
    await a.stop();
    stop = null;
    expect(mt.pending.size).toBe(0);
  });
});
