/** Checks of chat.send / chat.history / markRead request bodies, mirroring schemas.ts with readable errors. */
import { unsafeCharIn } from '../../../common';
import { isFullNodeId } from '../../identity';
import { ChatError } from './errors';
import { parsePlaintext } from './plaintext';
import { CHAT_HISTORY_MAX_LIMIT } from './schemas';
import type { ChatPlaintext } from './types';
import { CHAT_HISTORY_DEFAULT_LIMIT } from './views';

export interface SendRequest {
  readonly to: string;
  readonly plaintext: ChatPlaintext;
}

export interface HistoryRequest {
  readonly with: string | null;
  readonly sinceLamport: number;
  readonly limit: number;
}

export function parseSendRequest(body: unknown): SendRequest {
  const b = objectWith(body, ['to', 'text', 'attachments'], 'chat.send');
  if (!isFullNodeId(b.to))
    throw bad('"to" must be the full node id of a community member ("ed25519:" + 43 characters)');
  const plaintext = parsePlaintext({ text: b.text, attachments: b.attachments });
  // Refused where the household types it; received messages are not refused (a foreign node may
  // send anything) but neutralised wherever they are printed.
  const unsafe = unsafeCharIn(plaintext.text, { multiline: true });
  if (unsafe)
    throw bad(
      `"text" must not contain control or text-direction characters other than newline and tab (found ${unsafe})`,
    );
  return { to: b.to, plaintext };
}

export function parseHistoryRequest(body: unknown): HistoryRequest {
  const b = objectWith(body ?? {}, ['with', 'since_lamport', 'limit'], 'chat.history');
  if (b.with !== undefined && !isFullNodeId(b.with)) throw bad('"with" must be a full node id');
  if (b.since_lamport !== undefined && !(Number.isSafeInteger(b.since_lamport) && (b.since_lamport as number) >= 0))
    throw bad('"since_lamport" must be a whole number ≥ 0');
  if (
    b.limit !== undefined &&
    !(Number.isSafeInteger(b.limit) && (b.limit as number) >= 1 && (b.limit as number) <= CHAT_HISTORY_MAX_LIMIT)
  ) {
    throw bad(`"limit" must be a whole number from 1 to ${CHAT_HISTORY_MAX_LIMIT}`);
  }
  return {
    with: (b.with as string | undefined) ?? null,
    sinceLamport: (b.since_lamport as number | undefined) ?? 0,
    limit: (b.limit as number | undefined) ?? CHAT_HISTORY_DEFAULT_LIMIT,
  };
}

export function parseMsgIdRequest(body: unknown): string {
  const b = objectWith(body, ['msg_id'], 'chat read receipt');
  if (typeof b.msg_id !== 'string' || b.msg_id.length === 0 || b.msg_id.length > 64)
    throw bad('"msg_id" must be the id of a message');
  return b.msg_id;
}

function objectWith(body: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad(`${what} needs a JSON object body`);
  for (const k of Object.keys(body))
    if (!allowed.includes(k)) throw bad(`${what} does not take "${k}" (allowed: ${allowed.join(', ')})`);
  return body as Record<string, unknown>;
}

function bad(message: string): ChatError {
  return new ChatError('bad_request', message);
}
