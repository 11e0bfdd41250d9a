/** Shared fixtures for the events tests: temp logs, a fake membership view, an in-memory channel. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair } from '../../../src-main/runtime/identity';
import {
  EventLog,
  SyncServer,
  type Event,
  type EventLogOptions,
  type MembershipOracle,
  type SyncChannel,
} from '../../../src-main/runtime/events';

export const root: KeyPair = generateKeyPair();
export const communityId = root.nodeIdFull as string;

const dirs: string[] = [];
const logs: EventLog[] = [];

export function tempDir(prefix = 'hn-events-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function openLog(name = 'log', opts: Partial<EventLogOptions> = {}, dir = tempDir()): EventLog {
  const log = EventLog.open({ dbPath: join(dir, `${name}.sqlite`), communityId, ...opts });
  logs.push(log);
  return log;
}

export function cleanup(): void {
  for (const l of logs.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A fake community view: members added on `community.member.invited` (data.invitee), removed on revoke. */
export class FakeMembership implements MembershipOracle {
  readonly members = new Set<string>([communityId]);
  readonly revoked = new Set<string>();
  isMember(id: string): boolean {
    return this.members.has(id);
  }
  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }
  attach(log: EventLog): void {
    log.onAppend((e) => {
      if (e.event_type === 'community.member.invited') this.members.add(String(e.data.invitee));
      if (e.event_type === 'community.member.revoked') this.revoked.add(String(e.data.node_id));
    });
  }
}

/** A SyncChannel to a server, round-tripping every body and reply through JSON like the wire does. */
export function channelTo(log: EventLog): SyncChannel & { calls: number } {
  const server = new SyncServer(log);
  const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const ch = {
    calls: 0,
    heads: async () => {
      ch.calls += 1;
      return wire(await server.serveHeads());
    },
    events: async (body: Parameters<SyncChannel['events']>[0]) => {
      ch.calls += 1;
      return wire(await server.serveEvents(wire(body)));
    },
  };
  return ch;
}

export function idSet(log: EventLog): Set<string> {
  return new Set([...log.replay()].map((e) => e.event_id));
}

export function withSignature(e: Event, signature: string): Event {
  return { ...e, signature } as Event;
}
