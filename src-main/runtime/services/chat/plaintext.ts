/** Checks and normalises a chat body (text + attachments) before sealing and after opening. */
import { ChatError } from './errors';
import { CHAT_ATTACHMENTS_MAX, CHAT_TEXT_MAX_CHARS, type ChatAttachment, type ChatPlaintext } from './types';

const CID_RE = /^blake3:[0-9a-f]{64}$/;
const NAME_MAX = 255;

/** Length in Unicode code points, as JSON Schema `maxLength` counts. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** A copy of `value` holding only known fields; throws ChatError('bad_request') naming the problem. */
export function parsePlaintext(value: unknown): ChatPlaintext {
  const v = value as { text?: unknown; attachments?: unknown } | null;
  if (!v || typeof v !== 'object') throw bad('a chat message must be an object with "text"');
  if (typeof v.text !== 'string') throw bad('"text" must be a string');
  const len = charLength(v.text);
  if (len < 1 || len > CHAT_TEXT_MAX_CHARS)
    throw bad(`"text" must be 1 to ${CHAT_TEXT_MAX_CHARS} characters, got ${len}`);
  const raw = v.attachments ?? [];
  if (!Array.isArray(raw)) throw bad('"attachments" must be a list');
  if (raw.length > CHAT_ATTACHMENTS_MAX)
    throw bad(`at most ${CHAT_ATTACHMENTS_MAX} attachments per message, got ${raw.length}`);
  return { text: v.text, attachments: raw.map((a, i) => parseAttachment(a, i)) };
}

function parseAttachment(value: unknown, i: number): ChatAttachment {
  const a = value as Record<string, unknown> | null;
  if (!a || typeof a !== 'object' || Array.isArray(a)) throw bad(`attachment ${i} must be an object`);
  for (const k of Object.keys(a)) {
    if (!['cid', 'filename', 'mime_type', 'size_bytes', 'key'].includes(k))
      throw bad(`attachment ${i} has an unknown field "${k}"`);
  }
  if (typeof a.cid !== 'string' || !CID_RE.test(a.cid))
    throw bad(`attachment ${i} needs "cid" as "blake3:" + 64 hex digits`);
  const out: { -readonly [K in keyof ChatAttachment]: ChatAttachment[K] } = { cid: a.cid };
  for (const k of ['filename', 'mime_type', 'key'] as const) {
    if (a[k] === undefined) continue;
    if (typeof a[k] !== 'string' || a[k].length > NAME_MAX * 4)
      throw bad(`attachment ${i} "${k}" must be a short string`);
    out[k] = a[k];
  }
  if (a.size_bytes !== undefined) {
    if (!Number.isSafeInteger(a.size_bytes) || (a.size_bytes as number) < 0)
      throw bad(`attachment ${i} "size_bytes" must be a whole number ≥ 0`);
    out.size_bytes = a.size_bytes as number;
  }
  return out;
}

function bad(message: string): ChatError {
  return new ChatError('bad_request', message);
}
