import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src-main/common';
import { EVENT_DATA_SCHEMAS, eventDataProblem, isTypedEvent } from '../../../src-main/runtime/events';
import { cleanup, openLog, root } from './helpers';

afterEach(cleanup);

describe('event-data map', () => {
  it('has a schema for each of the 19 event types', () => {
    expect(Object.keys(EVENT_DATA_SCHEMAS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('types an event from the log whose data fits, and narrows data by event_type', () => {
    const log = openLog();
    const sent = log.appendLocal(
      'chat.message.sent',
      { msg_id: 'm1', recipient: root.nodeIdFull, sealed: { v: 1 } },
      root,
    );
    const post = log.appendLocal(
      'market.post.created',
      { category: 'offer', title: 'Ladder to lend', expires_at: '2030-01-01T00:00:00Z' },
      root,
    );
    const seen: string[] = [];
    for (const e of log.replay()) {
      if (!isTypedEvent(e)) continue;
      if (e.event_type === 'chat.message.sent') seen.push(`chat ${e.data.msg_id} to ${e.data.recipient}`);
      else if (e.event_type === 'market.post.created') seen.push(`post ${e.data.title} (${e.data.category})`);
    }
    expect(seen).toEqual([`chat m1 to ${root.nodeIdFull}`, 'post Ladder to lend (offer)']);
    expect(isTypedEvent(sent, ['market.post.created'])).toBe(false); // not one of the asked types
    expect(isTypedEvent(post, ['market.post.created'])).toBe(true);
    log.close();
  });

  it('refuses data that does not fit (the consumer skips the event) and says why', () => {
    const log = openLog();
    const bad = log.appendLocal('chat.message.sent', { msg_id: 7, recipient: root.nodeIdFull }, root);
    expect(isTypedEvent(bad)).toBe(false);
    expect(eventDataProblem('chat.message.sent', bad.data)).toMatch(/msg_id/);
    expect(eventDataProblem('market.post.expired', { reason: 'author' })).toMatch(/post_id/);
    expect(eventDataProblem('market.post.expired', { post_id: 'p', reason: 'author' })).toBeNull();
    log.close();
  });
});
