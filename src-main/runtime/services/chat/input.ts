/**
 * Checks of chat.send / chat.history / read-receipt request bodies: the capability schemas of
 * `schemas.ts` themselves (kept byte for byte: their hash is on the wire), annotated so a refusal
 * names the field in plain words.
 */
import { Type } from '@sinclair/typebox';
import { unsafeCharIn, type NodeId } from '../../../common';
import { isFullNodeId } from '../../identity';
import { annotate, compileSchema, parseWith } from '../../schema';
import { ChatError } from './errors';
import { parsePlaintext } from './plaintext';
import { CHAT_HISTORY_MAX_LIMIT, HISTORY_REQUEST_SCHEMA, SEND_REQUEST_SCHEMA } from './schemas';
import { CHAT_TEXT_MAX_CHARS, type ChatPlaintext } from './types';

export interface SendRequest {
  readonly to: NodeId;
  readonly plaintext: ChatPlaintext;
}

export interface HistoryRequest {
  readonly with: string | null;
  readonly sinceLamport: number;
  readonly limit: number;
}

const FULL_NODE_ID = 'the full node id of a community member ("ed25519:" + 43 characters)';

const checkSend = compileSchema<{ to: string; text: string; attachments?: unknown[] }>(
  annotate(SEND_REQUEST_SCHEMA, {
    to: { expected: FULL_NODE_ID },
    text: { expected: `1 to ${CHAT_TEXT_MAX_CHARS} characters` },
    'attachments[].cid': { expected: '"blake3:" + 64 hex digits' },
  }),
);
const checkHistory = compileSchema<{ with?: string; since_lamport?: number; limit: number }>(
  annotate(HISTORY_REQUEST_SCHEMA, {
    with: { expected: 'a full node id' },
    since_lamport: { expected: 'a whole number ≥ 0' },
    limit: { expected: `a whole number from 1 to ${CHAT_HISTORY_MAX_LIMIT}` },
  }),
  { fill: true },
);
const checkMsgId = compileSchema(
  Type.Object(
    { msg_id: Type.String({ minLength: 1, maxLength: 64, expected: 'the id of a message' }) },
    { additionalProperties: false },
  ),
);

const bad = (message: string, field: string) => new ChatError('bad_request', message, { details: { field } });

export function parseSendRequest(body: unknown): SendRequest {
  const b = parseWith(checkSend, body ?? null, bad);
  const plaintext = parsePlaintext({ text: b.text, attachments: b.attachments });
  // Refused where the household types it; received messages are not refused (a foreign node may
  // send anything) but neutralised wherever they are printed.
  const unsafe = unsafeCharIn(plaintext.text, { multiline: true });
  if (unsafe)
    throw bad(
      `text: must not contain control or text-direction characters other than newline and tab (found ${unsafe})`,
      'text',
    );
  // The schema's pattern has the form; the id must also be a real key (the recipient's keys wrap the body).
  if (!isFullNodeId(b.to)) throw bad(`to: must be ${FULL_NODE_ID}`, 'to');
  return { to: b.to, plaintext };
}

export function parseHistoryRequest(body: unknown): HistoryRequest {
  // Defaults are filled in place: check a copy so the caller's object is never changed.
  const b = parseWith(checkHistory, structuredClone(body ?? {}), bad);
  return { with: b.with ?? null, sinceLamport: b.since_lamport ?? 0, limit: b.limit };
}

export function parseMsgIdRequest(body: unknown): string {
  return parseWith(checkMsgId, body ?? null, bad).msg_id;
}
