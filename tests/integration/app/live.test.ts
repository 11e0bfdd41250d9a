/**
 * The household app's API end to end over HTTP, as a browser uses it (httpLink + SSE
 * subscriptions), against three real nodes in one community: status, chat with unread counts and
 * true delivery state, the market with live updates, topology and live calls, emergency, settings.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUpdate, EmergencyReport, MarketUpdate, StatusReport, TraceRow } from '../../../src-main/runtime/api';
import { appClient, collect, type AppClient } from '../../support/app-client';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

describe('the household app API over HTTP', () => {
  let mesh: Mesh;
  let alice: AppClient;
  let bob: AppClient;
  let carol: AppClient;
  beforeAll(async () => {
    mesh = await createMesh(3);
    [alice, bob, carol] = mesh.nodes.map((m) => appClient(m.node));
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 2), 20_000, 'three nodes meeting');
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
  });

  it('streams the status over server-sent events, now and when it changes', async () => {
    const values = await collect<StatusReport>(
      (h) => alice.onStatus.subscribe(undefined, h),
      (v) => v.length >= 1,
    );
    expect(values[0].display_name).toBe('alice');
    expect(values[0].peers.map((p) => p.display_name).sort()).toEqual(['bob', 'carol']);
  });

  it('chat: a live message, unread counts, marking read, and a delivery state that is true', async () => {
    const aliceId = mesh.byName('alice').node.kp.nodeIdFull;
    const updates = collect<ChatUpdate>(
      (h) => alice.onChat.subscribe(undefined, h),
      (v) => v.some((u) => u.kind === 'message' && u.message.body === 'Soup at six?'),
    );
    await new Promise((r) => setTimeout(r, 300)); // the subscription is open before the message is sent
    const sent = await bob.chatSend.mutate({ to: 'alice', text: 'Soup at six?' });
    expect(sent.delivery).toBe('direct');
    expect(sent.delivery_state).toBe('delivered');
    const got = (await updates).find((u) => u.message.body === 'Soup at six?')!;
    expect(got.message.direction).toBe('in');
    expect(got.message.sender_name).toBe('bob');
    expect(got.conversation.peer_name).toBe('bob');
    expect(got.conversation.unread).toBe(1);

    const convs = await alice.chatConversations.query();
    expect(convs.find((c) => c.peer_name === 'bob')?.unread).toBe(1);
    expect(await alice.chatMarkRead.mutate({ with: 'bob' })).toEqual({ marked: 1 });
    expect((await alice.chatConversations.query()).find((c) => c.peer_name === 'bob')?.unread).toBe(0);

    // Bob's view: delivered, then read once Alice's receipt reaches his log.
    await waitFor(
      async () =>
        (await bob.chatHistory.query({ with: 'alice' })).find((m) => m.msg_id === sent.msg_id)?.delivery_state ===
        'read',
      20_000,
      'the read receipt',
    );
    const row = (await bob.chatHistory.query({ with: aliceId })).find((m) => m.msg_id === sent.msg_id)!;
    expect(row.direction).toBe('out');
    expect(row.read_at).not.toBeNull();
  }, 40_000);

  it('chat: a message to a household that is away is "waiting", not "delivered"', async () => {
    const carolNode = mesh.byName('carol');
    await carolNode.stop();
    try {
      const sent = await bob.chatSend.mutate({ to: 'carol', text: 'Are you home?' });
      expect(['waiting', 'sent']).toContain(sent.delivery_state);
      const row = (await bob.chatHistory.query({ with: 'carol' })).find((m) => m.msg_id === sent.msg_id)!;
      expect(['waiting', 'sent']).toContain(row.delivery_state);
      expect(row.delivered_at).toBeNull();
    } finally {
      await carolNode.restart();
      carol = appClient(carolNode.node);
    }
  }, 40_000);

  it('market: a post appears live on another node, search matches prefixes, the author takes it down', async () => {
    const live = collect<MarketUpdate>(
      (h) => bob.onMarket.subscribe(undefined, h),
      (v) => v.some((u) => u.kind === 'expired' && u.post.title === 'Ladder to lend'),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    const post = await alice.marketPost.mutate({
      category: 'offer',
      title: 'Ladder to lend',
      body: '3 m, aluminium',
      tags: ['tools'],
      ttl_seconds: 3_600,
    });
    expect(post.mine).toBe(true);
    await waitFor(
      async () => (await bob.marketList.query({})).posts.some((p) => p.event_id === post.event_id),
      20_000,
      'the post reaching bob',
    );
    const seen = (await bob.marketList.query({ category: 'offer' })).posts.find((p) => p.event_id === post.event_id)!;
    expect(seen.author_name).toBe('alice');
    expect(seen.mine).toBe(false);
    expect((await bob.marketSearch.query({ query: 'lad' })).map((h) => h.post.event_id)).toContain(post.event_id);
    // Only the author may take it down.
    await expect(bob.marketExpire.mutate({ post_id: post.event_id })).rejects.toMatchObject({
      data: { wire: { code: expect.stringMatching(/forbidden|not_author/) as unknown } },
    });
    await alice.marketExpire.mutate({ post_id: post.event_id });
    const updates = await live;
    expect(updates.find((u) => u.kind === 'posted' && u.post.event_id === post.event_id)?.post.author_name).toBe(
      'alice',
    );
    expect(updates.find((u) => u.kind === 'expired')?.post.expiry_reason).toBe('author');
  }, 60_000);

  it('emergency posts come first, and the emergency tab shows the mode, probes and reachable households', async () => {
    const p = await carol.marketPost.mutate({
      category: 'emergency',
      title: 'Water main burst on Elm St',
      ttl_seconds: 3_600,
    });
    await alice.marketPost.mutate({ category: 'info', title: 'Street party Saturday', ttl_seconds: 3_600 });
    await waitFor(
      async () => (await alice.marketList.query({})).posts.some((x) => x.event_id === p.event_id),
      20_000,
      'the emergency post',
    );
    expect((await alice.marketList.query({})).posts[0].category).toBe('emergency');
    // Carol restarted in the test before: wait until alice reaches her again.
    const report = await waitFor(
      async () => {
        const r = await alice.emergency.query();
        return r.reachable.length === 2 ? r : null;
      },
      30_000,
      'alice reaching bob and carol again',
    );
    expect(report.mode).toBe('online');
    expect(report.reachable.map((r) => r.name).sort()).toEqual(['bob', 'carol']);
    expect(report.emergency_posts.map((x) => x.title)).toContain('Water main burst on Elm St');
    expect(report.still_works.find((w) => w.capability === 'chat.send')?.households).toEqual(
      expect.arrayContaining(['alice', 'bob', 'carol']),
    );
    const first = await collect<EmergencyReport>(
      (h) => alice.onEmergency.subscribe(undefined, h),
      (v) => v.length >= 1,
    );
    expect(first[0].emergency_posts.length).toBeGreaterThan(0);
  }, 60_000);

  it('topology: three households with what they offer, and live calls from the trace stream', async () => {
    const topo = await waitFor(
      async () => {
        const t = await alice.topology.query();
        return t.households.length === 3 && t.links.length === 2 ? t : null;
      },
      30_000,
      'the topology with all three households',
    );
    expect(topo.households.map((h) => h.name).sort()).toEqual(['alice', 'bob', 'carol']);
    expect(topo.households.find((h) => h.is_self)?.name).toBe('alice');
    expect(topo.households.find((h) => h.name === 'bob')?.capabilities).toContain('market.list@1.0');
    expect(topo.links).toHaveLength(2);
    const traces = collect<TraceRow>(
      (h) => alice.onTraces.subscribe({ capability: 'file.list' }, h),
      (v) => v.some((t) => !t.is_local),
    );
    await new Promise((r) => setTimeout(r, 300));
    const bobId = mesh.byName('bob').node.kp.nodeIdFull;
    await alice.callCapability.mutate({
      capability: 'file.list',
      version: '1.0',
      body: {},
      params: { node_id: bobId },
    });
    const remote = (await traces).find((t) => !t.is_local)!;
    expect(remote.to_node).toBe(bobId);
    expect(remote.result).toBe('ok');
  }, 60_000);

  it('settings: the household in plain words, members with levels, a saved new name', async () => {
    const s = await alice.settings.query();
    expect(s.display_name).toBe('alice');
    expect(s.profile_explained.length).toBeGreaterThan(20);
    expect(s.data_dir).toBe(mesh.byName('alice').node.config.community.state_dir);
    const members = await alice.members.query();
    expect(members.map((m) => m.name).sort()).toEqual(['alice', 'bob', 'carol']);
    expect(members.find((m) => m.is_self)?.level).toBe('anchor');
    const r = await bob.settingsUpdate.mutate({ display_name: 'Bob & Sue' });
    expect(r.restart_needed).toBe(true);
    expect(readFileSync(mesh.byName('bob').configFile, 'utf8')).toContain('Bob & Sue');
    expect((await bob.llmBackends.query()).every((b) => typeof b.kind === 'string')).toBe(true);
  });
});
