/**
 * Fault injection: a household's `hearthnet run` killed with SIGKILL while it is catching up with a
 * neighbour's log (alice posts a burst; bob is killed partway through syncing it). After bob's
 * restart his databases pass `PRAGMA integrity_check`, he catches up with every post, shows each
 * exactly once, and shows nothing alice never posted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/mesh';
import { hn, SAFE_CONFIG } from '../integration/cli/helpers';
import { databasesUnder, initHome, faultProcesses, integrityCheck, type NodeProcess } from './node-process';

const POSTS = 300;
const { homes, start } = faultProcesses();

const titlesOf = async (n: NodeProcess): Promise<string[]> =>
  (
    await n.call<{ posts?: Array<{ title: string }> }>('marketList', { limit: 500, include_expired: true }, 'GET')
  ).data.posts?.map((p) => p.title) ?? [];

describe('kill -9 during sync', () => {
  it('the killed household catches up after restart: every post once, nothing invented, databases intact', async () => {
    const aliceHome = await initHome('hn-fault-sync-a-');
    homes.push(aliceHome);
    const bobHome = mkdtempSync(join(tmpdir(), 'hn-fault-sync-b-'));
    homes.push(bobHome);
    writeFileSync(join(bobHome, 'config.toml'), SAFE_CONFIG);
    const init = await hn(bobHome, ['init', '--name', 'Bob', '--profile', 'hearth', '--non-interactive'], {
      timeoutMs: 60_000,
    });
    expect(init.code, init.stderr).toBe(0);
    const alice = await start(aliceHome);
    let bob = await start(bobHome);

    const created = await hn(aliceHome, ['invite', 'create', '--ttl', '600'], { timeoutMs: 60_000 });
    expect(created.code, created.stderr).toBe(0);
    const joined = await hn(bobHome, ['join', created.stdout.trim()], { timeoutMs: 60_000 });
    expect(joined.code, joined.stderr).toBe(0);

    // Alice posts while bob is online; bob is killed once some (not all) have reached him.
    const posted: string[] = [];
    const posting = (async () => {
      for (let i = 0; i < POSTS; i++) {
        const title = `Sync burst ${i}`;
        const r = await alice.call('marketPost', { category: 'offer', title });
        expect(r.status, JSON.stringify(r.data)).toBe(200);
        posted.push(title);
      }
    })();
    await waitFor(async () => (await titlesOf(bob)).length >= 20, 60_000, 'bob receiving the first posts');
    await bob.kill9();
    const seenBeforeKill = posted.length;
    await posting;
    expect(seenBeforeKill, 'the kill came after alice had finished: the test proves nothing').toBeLessThan(POSTS);

    for (const db of databasesUnder(bobHome)) expect(integrityCheck(db), db).toBe('ok');
    bob = await start(bobHome);
    await waitFor(
      async () => (await titlesOf(bob)).filter((t) => t.startsWith('Sync burst')).length >= POSTS,
      120_000,
      'bob catching up after restart',
    );
    const shown = (await titlesOf(bob)).filter((t) => t.startsWith('Sync burst'));
    expect(new Set(shown).size, 'a post shown twice').toBe(shown.length);
    expect(new Set(shown)).toEqual(new Set(posted));
    expect(await bob.stop()).toBe(0);
    for (const db of databasesUnder(bobHome)) expect(integrityCheck(db), db).toBe('ok');
  }, 300_000);
});
