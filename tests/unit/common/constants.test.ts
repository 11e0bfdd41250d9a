import { describe, expect, it } from 'vitest';
import * as constants from '../../../src-main/common/constants';

describe('constants', () => {
  it('holds exactly the 31 constants of reference §0.2 with their values', () => {
    expect(Object.keys(constants).sort()).toHaveLength(31);
    expect(constants.DISCOVERY_UDP_INTERVAL_SECONDS).toEqual({ active: 5, stable: 30 });
    expect(constants.CHUNK_SIZE_BYTES).toBe(262144);
    expect(constants.BLOB_GC_DISK_THRESHOLD).toBe(0.8);
    expect(constants.TRACE_RING_BUFFER).toBe(10000);
    expect(constants.EMERGENCY_TRANSITION_DEBOUNCE_SECONDS).toBe(30);
  });
});
