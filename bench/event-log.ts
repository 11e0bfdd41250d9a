/**
 * Event log benchmark: append 10,000 signed events, verify+persist them into a second log
 * (node:crypto) and a third (@noble/curves) through appendReceivedBatch in sync-sized batches,
 * and into a fourth through appendReceivedBatchAsync (thread-pool verification), then replay. Last line: `event-log verify+persist: <N> events/s (noble <M> events/s, ratio <R>)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, signBytes, verifyBytes } from '../src-main/runtime/identity';
import { EventLog, SYNC_BATCH_EVENTS, type Event } from '../src-main/runtime/events';

const EVENTS = 10_000;
const AUTHORS = 4;

function rate(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

async function ingest(log: EventLog, events: readonly Event[], parallel = false): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += SYNC_BATCH_EVENTS) {
    const batch = events.slice(i, i + SYNC_BATCH_EVENTS);
    const res = parallel ? await log.appendReceivedBatchAsync(batch) : log.appendReceivedBatch(batch);
    if (res.rejected.length) throw new Error(`bench: ${res.rejected.length} events rejected: ${res.rejected[0].code}`);
  }
  const ms = performance.now() - t0;
  if (log.count() !== events.length) throw new Error(`bench: expected ${events.length} events, found ${log.count()}`);
  return ms;
}

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-events-'));
  const authors = Array.from({ length: AUTHORS }, () => generateKeyPair());
  const communityId = authors[0].nodeIdFull;
  const open = (name: string, verifier: 'node' | 'noble' = 'node') =>
    EventLog.open({ dbPath: join(dir, `${name}.sqlite`), communityId, verifier });
  const a = open('a');
  const b = open('b');
  const c = open('c', 'noble');
  const d = open('d');
  try {
    // Baseline in the same run: bare node:crypto verification, the floor under verify+persist.
    const probe = new TextEncoder().encode('x'.repeat(300));
    const probeSig = signBytes(authors[0], probe);
    const bareVerifyRate = (): number => {
      for (let i = 0; i < 300; i++) verifyBytes(authors[0].nodeIdFull, probe, probeSig);
      const t = performance.now();
      for (let i = 0; i < 3000; i++) verifyBytes(authors[0].nodeIdFull, probe, probeSig);
      return rate(3000, performance.now() - t);
    };
    console.log(`baseline bare ed25519 verify (node:crypto, one thread): ${bareVerifyRate()} /s`);

    let t0 = performance.now();
    const events: Event[] = [];
    for (let i = 0; i < EVENTS; i++) {
      events.push(
        a.appendLocal(
          'chat.message.sent',
          { text: `message ${i} from the bench`, room: 'general', n: i },
          authors[i % AUTHORS],
        ),
      );
    }
    const appendMs = performance.now() - t0;
    console.log(`append+sign (local): ${rate(EVENTS, appendMs)} events/s (${EVENTS} in ${appendMs.toFixed(0)} ms)`);

    // Fresh objects off the wire, like sync delivers them.
    const wire = JSON.parse(JSON.stringify(events)) as Event[];
    const nodeMs = await ingest(b, wire);
    console.log(
      `verify+persist node:crypto (appendReceivedBatch): ${rate(EVENTS, nodeMs)} events/s (${nodeMs.toFixed(0)} ms, batches of ${SYNC_BATCH_EVENTS})`,
    );
    const parMs = await ingest(d, JSON.parse(JSON.stringify(events)) as Event[], true);
    console.log(
      `verify+persist node:crypto thread pool (appendReceivedBatchAsync, the sync path): ${rate(EVENTS, parMs)} events/s (${parMs.toFixed(0)} ms)`,
    );
    const nobleMs = await ingest(c, JSON.parse(JSON.stringify(events)) as Event[]);
    console.log(`verify+persist noble: ${rate(EVENTS, nobleMs)} events/s (${nobleMs.toFixed(0)} ms)`);

    t0 = performance.now();
    let n = 0;
    for (const event of b.replay()) if (event) n += 1;
    const replayMs = performance.now() - t0;
    if (n !== EVENTS) throw new Error(`bench: replay saw ${n} events`);
    console.log(`replay: ${rate(EVENTS, replayMs)} events/s (${replayMs.toFixed(0)} ms)`);

    const bare = bareVerifyRate();
    console.log(
      `baseline bare ed25519 verify again: ${bare} /s (verify+persist runs at ${Math.round((100 * rate(EVENTS, nodeMs)) / bare)}% of it)`,
    );
    const N = rate(EVENTS, nodeMs);
    const M = rate(EVENTS, nobleMs);
    console.log(`event-log verify+persist: ${N} events/s (noble ${M} events/s, ratio ${(N / M).toFixed(2)})`);
  } finally {
    a.close();
    b.close();
    c.close();
    d.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
