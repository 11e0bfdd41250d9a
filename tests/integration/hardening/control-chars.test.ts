/**
 * Issue 15 item 1: terminal escape injection across households. Control and bidi characters are
 * refused where a household types text, and neutralised wherever another household's text is
 * printed (here: a forged post from a member who bypassed the input checks, read with the CLI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWallClock } from '../../../src-main/common';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { hn } from '../cli/helpers';

const ESC_TITLE = 'Ladder\x1b[2J\x1b]0;pwned\x07';
let mesh: Mesh;
beforeAll(async () => {
  mesh = await createMesh(2, { node: { writeRuntimeFile: true } });
}, 90_000);
afterAll(async () => {
  await mesh?.close();
});

const err = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as Error,
  );

describe('input schemas refuse control characters', () => {
  it('market titles refuse them; bodies allow newline and tab but refuse the rest', async () => {
    const api = mesh.byName('alice').node.api;
    expect((await err(api.marketPost({ category: 'offer', title: ESC_TITLE, body: 'x' })))?.message).toMatch(
      /title.*U\+001B/,
    );
    expect((await err(api.marketPost({ category: 'offer', title: 'Two\nlines', body: 'x' })))?.message).toMatch(
      /title.*U\+000A/,
    );
    expect(
      (await err(api.marketPost({ category: 'offer', title: 'Ladder', body: 'evil \u202e txt.exe' })))?.message,
    ).toMatch(/body.*U\+202E/);
    const ok = await api.marketPost({ category: 'offer', title: 'Ladder', body: 'line one\n\tline two' });
    expect(ok.body).toBe('line one\n\tline two');
  });

  it('chat texts refuse them (newline and tab allowed)', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node.kp.nodeIdFull;
    expect((await err(alice.api.chatSend({ to: bob, text: 'hi\x1b[2K' })))?.message).toMatch(/U\+001B/);
    const sent = await alice.api.chatSend({ to: bob, text: 'soup\n\tis ready' });
    expect(sent.to_name).toBe('bob');
  });
});

describe("another household's text is neutralised when printed", () => {
  it('a forged post with escapes in its body shows inert on `market list`; --json keeps the exact text', async () => {
    const alice = mesh.byName('alice');
    const bob = mesh.byName('bob').node;
    const body = 'free\x1b]0;pwned\x07\x1b[2J\u202egnp.exe';
    // Bob's node bypasses its own input checks (a modified node can): the signed event is valid.
    const forged = bob.community()!.log.appendLocal(
      'market.post.created',
      {
        category: 'offer',
        title: 'Spare chairs',
        body,
        tags: [],
        location: null,
        expires_at: toWallClock(new Date(Date.now() + 3_600_000)),
      },
      bob.kp,
    );
    await waitFor(
      async () => {
        await alice.node.syncNow();
        return (await alice.node.api.marketList({})).posts.some((p) => p.event_id === forged.event_id);
      },
      30_000,
      'the forged post on alice',
    );
    const human = await hn(alice.home, ['market', 'list'], { timeoutMs: 60_000 });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Spare chairs');
    expect(human.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(human.stdout).toContain('␛]0;pwned␇');
    const json = await hn(alice.home, ['market', 'list', '--json'], { timeoutMs: 60_000 });
    expect(json.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    const posts = (JSON.parse(json.stdout) as { posts: Array<{ event_id: string; body: string }> }).posts;
    expect(posts.find((p) => p.event_id === forged.event_id)?.body).toBe(body);
  }, 180_000);
});
