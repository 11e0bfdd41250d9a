/** M10 chat: end-to-end sealed private messages in the community log, the chat view, delivery. */
export { ChatError, CHAT_ERROR_CODES, type ChatErrorCode } from './errors';
export * from './types';
export { sealMessage, openMessage, bodyAad, SEAL_HKDF_INFO, type RandomSource, type SealInput } from './seal';
export { parsePlaintext } from './plaintext';
export {
  ChatView,
  CHAT_HISTORY_DEFAULT_LIMIT,
  CHAT_PENDING_RECEIPTS_MAX,
  type ChatMessage,
  type ChatViewOptions,
} from './views';
export { Outbox, type OutboxEntry } from './outbox';
export { realDeliveryTimers, type DeliveryTimers } from './timers';
export {
  DeliveryManager,
  CHAT_FORWARD_FANOUT,
  CHAT_OUTBOX_MAX_AGE_MS,
  type DeliveryComponents,
  type DeliveryInit,
  type DeliveryOutcome,
} from './delivery';
export * from './schemas';
export {
  ChatService,
  CHAT_VIEW_EVENT_TYPES,
  CHAT_MAX_CONCURRENT,
  type ChatCapabilityDescriptor,
  type ChatComponents,
  type ChatHandler,
  type ChatHandlerContext,
  type ChatInit,
} from './service';
