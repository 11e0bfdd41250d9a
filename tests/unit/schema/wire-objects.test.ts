/**
 * Bad wire objects from a peer (or a damaged local copy) get the schema's sentence naming the
 * field, in each reader's own error: community manifests, capability tokens, community-state
 * snapshots, the data of governance events the community rules judge, the opened chat body, and
 * sync replies (tests/integration/transport/sync-replies.test.ts sends those over real HTTPS).
 */
import { describe, expect, it } from 'vitest';
import { parseHeadsReport, parseSyncEventsReply } from '../../../src-main/runtime/events';
import {
  buildCommunityManifest,
  CommunityStateView,
  defaultCommunityPolicy,
  generateKeyPair,
  IdentityError,
  issueToken,
  parseCommunityManifest,
  verifyToken,
} from '../../../src-main/runtime/identity';
import { ChatError, parsePlaintext } from '../../../src-main/runtime/services/chat';
import { eventMaker, T0 } from '../identity/event-helper';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('accepted');
}

const root = generateKeyPair();
const bob = generateKeyPair();
const NOW = new Date('2026-05-26T08:00:00Z');

describe('community manifest', () => {
  const cm: Record<string, unknown> = buildCommunityManifest(root, 'Elm Street', undefined, NOW);
  const members = cm.members as Array<Record<string, unknown>>;
  it.each<[string, unknown, string, RegExp]>([
    ['blank name', { ...cm, name: '' }, 'name', /^community manifest field "name" must not be empty$/],
    [
      'level',
      { ...cm, members: [{ ...members[0], level: 'king' }] },
      'members[0].level',
      /"members\[0\]\.level" must be one of member, trusted, anchor$/,
    ],
    [
      'added_at',
      { ...cm, members: [{ ...members[0], added_at: '2026-13-01T00:00:00Z' }] },
      'members[0].added_at',
      /must be a UTC time like 2026-05-26T08:14:22Z$/,
    ],
    ['version', { ...cm, version: 9 }, 'version', /"version" must be 1; this node may need an update$/],
    ['extra field', { ...cm, colour: 'red' }, 'colour', /"colour" is not a known field$/],
    ['not JSON', 'not json', '$', /"\$" is not valid UTF-8 JSON/],
  ])('%s', (_name, input, field, message) => {
    const e = thrown(() => parseCommunityManifest(input as object));
    expect(e).toBeInstanceOf(IdentityError);
    expect((e as IdentityError).code).toBe('bad_manifest');
    expect((e as IdentityError).details.field).toBe(field);
    expect(e.message).toMatch(message);
  });
});

describe('capability token', () => {
  const t: Record<string, unknown> = issueToken(root, bob.nodeIdFull, 'llm.chat', 3600, NOW);
  it.each<[string, unknown, RegExp]>([
    ['capability', { ...t, capability: '' }, /^capability token is malformed: "capability" must not be empty$/],
    ['subject', { ...t, subject: 'bob' }, /"subject" must be a full node id \(ed25519:<base64url public key>\)$/],
    ['nonce', { ...t, nonce: 'x'.repeat(65) }, /"nonce" must be at most 64 characters/],
    ['extra', { ...t, scope: 'all' }, /"scope" is not a known field$/],
    ['not an object', 'token', /"\$" must be an object$/],
  ])('%s', (_name, token, message) => {
    const e = thrown(() => verifyToken(token as never, root.nodeIdFull, { now: NOW }));
    expect(e).toBeInstanceOf(IdentityError);
    expect((e as IdentityError).code).toBe('verify_failed');
    expect(e.message).toMatch(message);
  });
});

describe('community-state snapshot', () => {
  const view = new CommunityStateView({ communityId: root.nodeIdFull, now: () => T0 });
  view.apply(
    eventMaker(root.nodeIdFull)(root, 'community.created', {
      root: root.nodeIdFull,
      name: 'Elm',
      policy: defaultCommunityPolicy(),
    }),
  );
  const snap = JSON.parse(JSON.stringify(view.snapshotState())) as Record<string, unknown>;
  const member = (snap.members as Array<Record<string, unknown>>)[0];
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['version', { ...snap, version: 2 }, /field "version" must be 1$/],
    ['created_at', { ...snap, created_at: 'yesterday' }, /field "created_at" must be a UTC time/],
    [
      'member status',
      { ...snap, members: [{ ...member, status: 'left' }] },
      /field "members\[0\]\.status" must be one of invited, joined$/,
    ],
    [
      'policy',
      { ...snap, policy: { ...(snap.policy as object), federation_enabled: 1 } },
      /"policy\.federation_enabled"/,
    ],
    ['another community', { ...snap, community_id: bob.nodeIdFull }, /field "community_id" must be ed25519:/],
  ])('%s: refused, the state kept', (_name, bad, message) => {
    const before = view.snapshotState();
    const e = thrown(() => view.restoreState(bad));
    expect(e).toBeInstanceOf(IdentityError);
    expect(e.message).toMatch(/^community state snapshot field /);
    expect(e.message).toMatch(message);
    expect(view.snapshotState()).toEqual(before);
  });
});

describe('governance event data judged by the community rules', () => {
  const mk = eventMaker(root.nodeIdFull);
  const view = new CommunityStateView({ communityId: root.nodeIdFull, now: () => T0 });
  view.apply(mk(root, 'community.created', { root: root.nodeIdFull, name: 'Elm', policy: defaultCommunityPolicy() }));
  const invite = {
    invitee: bob.nodeIdFull,
    inviter: root.nodeIdFull,
    level: 'member',
    expires_at: '2026-05-27T08:00:00Z',
  };
  it.each<[string, Parameters<typeof mk>[1], Record<string, unknown>, RegExp]>([
    [
      'invite level',
      'community.member.invited',
      { ...invite, level: 'king' },
      /^community\.member\.invited data field "data\.level" must be one of member, trusted, anchor$/,
    ],
    ['invitee', 'community.member.invited', { ...invite, invitee: 'bob' }, /"data\.invitee" must be a full node id/],
    [
      'invite expiry',
      'community.member.invited',
      { ...invite, expires_at: 'tomorrow' },
      /"data\.expires_at" must be a UTC time/,
    ],
    ['signatures', 'community.member.invited', { ...invite, signatures: 'many' }, /"data\.signatures" must be a list$/],
    [
      'revocation without signatures',
      'community.member.revoked',
      { node_id: bob.nodeIdFull, reason: 'moved away' },
      /"data\.signatures" is required$/,
    ],
    [
      'promotion level',
      'community.member.promoted',
      { node_id: bob.nodeIdFull, level: 3, signatures: [] },
      /"data\.level" must be text$/,
    ],
    [
      'join name',
      'community.member.joined',
      { node_id: root.nodeIdFull, display_name: 5 },
      /"data\.display_name" must be text$/,
    ],
  ])('%s: forbidden, naming the field', (_name, type, data, message) => {
    const verdict = view.validate(mk(root, type, data));
    expect(verdict).toMatchObject({ ok: false, code: 'forbidden' });
    expect((verdict as { reason: string }).reason).toMatch(message);
  });
});

describe('an opened chat body', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['text missing', { attachments: [] }, 'text', /^text: is required$/],
    ['text too long', { text: 'x'.repeat(4001) }, 'text', /^text: must be 1 to 4000 characters \(it has 4001\)$/],
    [
      'cid',
      { text: 'hi', attachments: [{ cid: 'nope' }] },
      'attachments[0].cid',
      /^attachments\[0\]\.cid: must be "blake3:" \+ 64 hex digits$/,
    ],
    [
      'size',
      { text: 'hi', attachments: [{ cid: `blake3:${'0'.repeat(64)}`, size_bytes: -1 }] },
      'attachments[0].size_bytes',
      /^attachments\[0\]\.size_bytes: must be a whole number ≥ 0$/,
    ],
    [
      'extra attachment field',
      { text: 'hi', attachments: [{ cid: `blake3:${'0'.repeat(64)}`, url: 'x' }] },
      'attachments[0].url',
      /^attachments\[0\]: unknown field "url"$/,
    ],
    [
      'too many',
      { text: 'hi', attachments: new Array(17).fill({ cid: `blake3:${'0'.repeat(64)}` }) },
      'attachments',
      /^attachments: must be a list of at most 16 attachments$/,
    ],
  ])('%s', (_name, body, field, message) => {
    const e = thrown(() => parsePlaintext(body));
    expect(e).toBeInstanceOf(ChatError);
    expect((e as ChatError).code).toBe('bad_request');
    expect((e as ChatError).details.field).toBe(field);
    expect(e.message).toMatch(message);
  });
  it('a good body keeps only the known fields', () => {
    const cid = `blake3:${'a'.repeat(64)}`;
    expect(parsePlaintext({ text: 'hi', attachments: [{ cid, size_bytes: 3 }], v2: true })).toEqual({
      text: 'hi',
      attachments: [{ cid, size_bytes: 3 }],
    });
    expect(parsePlaintext({ text: 'hi', attachments: null })).toEqual({ text: 'hi', attachments: [] });
  });
});

describe('sync replies', () => {
  it('heads and events replies name the field', () => {
    expect(() => parseHeadsReport({ sync_version: 1 }, 'bob')).toThrow(
      /^bob sent a sync heads reply .*: community_id: is required$/,
    );
    expect(() =>
      parseSyncEventsReply({ accepted: 1, duplicates: 0, rejected: [{ event_id: 5, code: 'x' }] }, 'bob'),
    ).toThrow(/rejected\[0\]\.event_id: must be text$/);
  });
});
