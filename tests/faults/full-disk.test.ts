/**
 * Issue 15 item 4 and the full-disk fault: on a full disk a post that the event log refused never
 * shows on the board (the views follow the log, not the attempt), every acknowledged post is there
 * after a restart, and the database passes `PRAGMA integrity_check`.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from '../../src-main/runtime/node';
import { createCommunity } from '../../src-main/runtime/onboarding';
import { openCommunity } from '../../src-main/runtime/node/community-context';
import { writeCommunityManifest } from '../../src-main/runtime/config/community-file';
import { nodeFiles } from '../../src-main/runtime/config/node-paths';
import { loadOrGenerateKeyPair } from '../../src-main/runtime/identity';
import { testConfig } from '../support/mesh';
import { mountSmallDisk, tmpfsUnavailable, type SmallDisk } from './tmpfs';

const reason = tmpfsUnavailable();
if (reason) console.log(`tests/faults/full-disk: skipped: ${reason}`);

let disk: SmallDisk | null = null;
let node: RunningNode | null = null;
afterAll(async () => {
  await node?.stop().catch(() => {});
  disk?.unmount();
});

describe.skipIf(reason !== null)('a full disk', () => {
  it('a refused post never shows; acknowledged ones survive a restart; integrity_check is ok', async () => {
    disk = mountSmallDisk(6);
    const kp = loadOrGenerateKeyPair(testConfig(disk.dir, 'alice').identity.keys_dir);
    let config = testConfig(disk.dir, 'alice');
    const files = nodeFiles(config);
    const c = openCommunity({ dbPath: files.eventLog, communityId: kp.nodeIdFull });
    writeCommunityManifest(files.communityManifest, createCommunity({ name: 'Full Street', kp, community: c }));
    c.close();
    config = { ...config, community: { ...config.community, community_id: kp.nodeIdFull } };
    const start = () => startNode({ config, name: 'alice', writeRuntimeFile: false, autodetectLlm: false });
    node = await start();

    const acknowledged: string[] = [];
    const refused: string[] = [];
    const filler = disk.fill();
    // Bounded: 400 posts of ~4 KB cannot fit in what is left.
    for (let i = 0; i < 400 && refused.length < 3; i++) {
      const title = `Post number ${i}`;
      try {
        await node.api.marketPost({ category: 'offer', title, body: 'x'.repeat(3900) });
        acknowledged.push(title);
      } catch (err) {
        expect(String((err as Error).message)).toMatch(/could not be written|disk|full|space/i);
        refused.push(title);
        const shown = (await node.api.marketList({ limit: 500 })).posts.map((p) => p.title);
        expect(shown, `${title} was refused but shows on the board`).not.toContain(title);
      }
    }
    expect(refused.length).toBeGreaterThan(0);
    const shownBefore = (await node.api.marketList({ limit: 500 })).posts.map((p) => p.title).sort();
    expect(shownBefore).toEqual([...acknowledged].sort());

    await node.stop();
    node = null;
    rmSync(filler);
    node = await start();
    const shownAfter = (await node.api.marketList({ limit: 500 })).posts.map((p) => p.title).sort();
    expect(shownAfter).toEqual([...acknowledged].sort());
    await node.stop();
    node = null;
    const db = new Database(files.eventLog, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }, 120_000);
});
