/** Shared fixtures for the chat tests: keys, temp logs, log-to-log sync, fake timers, a sent-message helper. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog, type Event } from '../../../src-main/runtime/events';
import { generateKeyPair, type KeyPair } from '../../../src-main/runtime/identity';
import { sealMessage, type DeliveryTimers } from '../../../src-main/runtime/services/chat';

export const root: KeyPair = generateKeyPair();
export const communityId = root.nodeIdFull as string;

const dirs: string[] = [];
const logs: EventLog[] = [];

export function tempDir(prefix = 'hn-chat-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function openLog(dbPath: string): EventLog {
  const log = EventLog.open({ dbPath, communityId });
  logs.push(log);
  return log;
}

export function cleanup(): void {
  for (const l of logs.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** What a sync round does: copy every event `from` holds into `to` (signatures re-verified). */
export function syncInto(from: EventLog, to: EventLog): number {
  return to.appendReceivedBatch([...from.replay()]).accepted;
}

let msgCounter = 0;
/** Append a sealed chat.message.sent from `sender` to `recipient`, as ChatService.send does. */
export function appendSent(log: EventLog, sender: KeyPair, recipient: string, text: string): Event {
  const msgId = `01TESTMSG${String(++msgCounter).padStart(17, '0')}`;
  const sealed = sealMessage({
    senderKp: sender,
    recipientNodeId: recipient,
    communityId,
    msgId,
    plaintext: { text, attachments: [] },
  });
  return log.appendLocal('chat.message.sent', { msg_id: msgId, recipient, sealed }, sender);
}

/** Timers that fire only when the test says so; records each requested delay. */
export class ManualTimers implements DeliveryTimers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  readonly delays: number[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    this.delays.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fire every pending timer once. */
  fireAll(): number {
    const due = [...this.pending.entries()];
    for (const [id] of due) this.pending.delete(id);
    for (const [, t] of due) t.fn();
    return due.length;
  }
}

export { generateKeyPair, join, type KeyPair };
