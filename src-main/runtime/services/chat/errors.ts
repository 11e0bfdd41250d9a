/** ChatError: the chat service's error codes and their wire codes (local until common/errors.ts gains it). */
import { defineDomainError, type WireErrorCode } from '../../../common';

export const CHAT_ERROR_CODES = [
  'decrypt_failed',
  'forbidden',
  'not_found',
  'bad_request',
  'recipient_unknown',
  'outbox_io',
] as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

const WIRE: Readonly<Record<ChatErrorCode, WireErrorCode>> = Object.freeze({
  decrypt_failed: 'bad_request',
  forbidden: 'forbidden',
  not_found: 'not_found',
  bad_request: 'bad_request',
  recipient_unknown: 'not_found',
  outbox_io: 'internal_error',
});

/** An error of the chat service; `wireCode` is what a peer or the UI sees. */
export const ChatError = defineDomainError<ChatErrorCode>('ChatError', CHAT_ERROR_CODES, WIRE);
export type ChatError = InstanceType<typeof ChatError>;
