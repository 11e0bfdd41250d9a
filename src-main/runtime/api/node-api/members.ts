/** Names for node ids, and the other way round: what a person types (`bob`, a short id, a full id) to a member's full id. */
import { CallError } from '../../../common';
import type { PeerRegistry } from '../../discovery';
import { isFullNodeId, shortOf } from '../../identity';
import type { CommunityContext } from '../../node/community-context';

export interface MemberDirectory {
  /** The display name a person recognises (falls back to the short id). */
  nameOf(nodeId: string): string;
  /** A full node id, a short id (with or without `ed25519:`), or a display name -> a member's full id. */
  resolve(who: string): string;
}

const SHORT_BODY = /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/;

function safeShort(id: string): string {
  try {
    return shortOf(id);
  } catch {
    return id;
  }
}

export function memberDirectory(d: {
  ourId: string;
  ourName: string;
  community: CommunityContext;
  peers: PeerRegistry;
}): MemberDirectory {
  const members = () => d.community.state.members().filter((m) => !d.community.state.isRevoked(m.node_id));
  const nameOf = (id: string): string => {
    if (id === d.ourId) return d.ourName;
    const member = d.community.state.members().find((m) => m.node_id === id);
    return member?.display_name || d.peers.get(id)?.display_name || safeShort(id);
  };
  return {
    nameOf,
    resolve(who) {
      const text = who.trim();
      const all = members();
      if (isFullNodeId(text)) {
        if (!all.some((m) => m.node_id === text))
          throw new CallError('not_found', `${safeShort(text)} is not a member of this community`);
        return text;
      }
      const body = text.replace(/^ed25519:/i, '').toUpperCase();
      if (SHORT_BODY.test(body)) {
        const hit = all.find((m) => safeShort(m.node_id) === `ed25519:${body}`);
        if (!hit) throw new CallError('not_found', `no member of this community has the id ed25519:${body}`);
        return hit.node_id;
      }
      const wanted = text.toLowerCase();
      const named = all.filter((m) => nameOf(m.node_id).toLowerCase() === wanted);
      if (named.length === 1) return named[0].node_id;
      if (named.length > 1) {
        const list = named.map((m) => `${nameOf(m.node_id)} (${safeShort(m.node_id)})`).join(', ');
        throw new CallError('bad_request', `"${who}" could mean several members: ${list}; use the short id instead`);
      }
      const known = all
        .filter((m) => m.node_id !== d.ourId)
        .map((m) => nameOf(m.node_id))
        .sort((a, b) => a.localeCompare(b));
      throw new CallError(
        'not_found',
        `no member is called "${who}"${known.length ? `; members: ${known.join(', ')}` : ''}`,
      );
    },
  };
}
