/** Checks and normalises a chat body (text + attachments) before sealing and after opening, with its schema. */
import { Type } from '@sinclair/typebox';
import { compileSchema, Nullable, parseWith } from '../../schema';
import { ChatError } from './errors';
import { CHAT_ATTACHMENTS_MAX, CHAT_TEXT_MAX_CHARS, type ChatPlaintext } from './types';

const NAME_MAX = 255;

/** Length in Unicode code points, as JSON Schema `maxLength` counts. */
export function charLength(text: string): number {
  return Array.from(text).length; // code points, not UTF-16 units
}

const SafeSize = () => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, expected: 'a whole number ≥ 0' });
const Short = () => Type.String({ maxLength: NAME_MAX * 4, expected: 'a short string' });

/** A file shared in a message (exactly these fields). */
const ChatAttachmentSchema = Type.Object(
  {
    cid: Type.String({ pattern: '^blake3:[0-9a-f]{64}$', description: 'must be "blake3:" + 64 hex digits' }),
    filename: Type.Optional(Short()),
    mime_type: Type.Optional(Short()),
    size_bytes: Type.Optional(SafeSize()),
    key: Type.Optional(Short()),
  },
  { additionalProperties: false },
);

/** The body sealed in a chat message (docs/protocol/chat.md); fields it does not name are dropped. */
export const ChatPlaintextSchema = Type.Object({
  text: Type.String({
    minLength: 1,
    maxLength: CHAT_TEXT_MAX_CHARS,
    expected: `1 to ${CHAT_TEXT_MAX_CHARS} characters`,
  }),
  attachments: Type.Optional(
    Nullable(Type.Array(ChatAttachmentSchema, { maxItems: CHAT_ATTACHMENTS_MAX }), {
      expected: `a list of at most ${CHAT_ATTACHMENTS_MAX} attachments`,
    }),
  ),
});
const checkPlaintext = compileSchema(ChatPlaintextSchema);

/** A copy of `value` holding only known fields; throws ChatError('bad_request') naming the field. */
export function parsePlaintext(value: unknown): ChatPlaintext {
  const v = parseWith(
    checkPlaintext,
    value,
    (message, field) => new ChatError('bad_request', message, { details: { field } }),
  );
  return { text: v.text, attachments: (v.attachments ?? []).map((a) => ({ ...a })) };
}
