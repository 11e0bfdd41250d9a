import { describe, expect, it } from 'vitest';
import { FlowControl } from '../../../src-main/runtime/transport';

describe('FlowControl', () => {
  it('lets a window of frames through, then waits for an ack', async () => {
    const fc = new FlowControl({ window: 4, ackInterval: 2 });
    for (let i = 0; i < 4; i++) await fc.send();
    expect(fc.windowUsed).toBe(4);
    expect(fc.needsAck).toBe(true);
    let sent = false;
    const p = fc.send().then(() => (sent = true));
    await new Promise((r) => setImmediate(r));
    expect(sent).toBe(false);
    fc.ack(2);
    await p;
    expect(sent).toBe(true);
    expect(fc.windowUsed).toBe(3);
    fc.ack(1); // old ack: ignored
    fc.ack(99); // beyond what was sent: clamped
    expect(fc.ackedUpTo).toBe(5);
    expect(fc.windowUsed).toBe(0);
    expect(fc.needsAck).toBe(false);
  });

  it('fails with timeout when no ack comes', async () => {
    const fc = new FlowControl({ window: 1, ackInterval: 1, ackTimeoutMs: 30 });
    await fc.send();
    await expect(fc.send()).rejects.toMatchObject({ code: 'timeout' });
  });

  it('close() rejects a waiting and any later send', async () => {
    const fc = new FlowControl({ window: 1, ackInterval: 1 });
    await fc.send();
    const p = fc.send();
    fc.close();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    await expect(fc.send()).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refuses an ack interval larger than the window', () => {
    expect(() => new FlowControl({ window: 2, ackInterval: 3 })).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });
});
