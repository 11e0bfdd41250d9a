/** Wire shapes of the chat service: sealed payloads and the data of the three chat event types. */
import type { EventType } from '../../../common';

/** The three event types of chat (their data schemas: events/event-data.ts). */
export const CHAT_EVENT_TYPES = [
  'chat.message.sent',
  'chat.message.delivered',
  'chat.message.read',
] as const satisfies readonly EventType[];

/** Limits of a chat message (reference M10; also in the capability schemas). */
export const CHAT_TEXT_MAX_CHARS = 4000;
export const CHAT_ATTACHMENTS_MAX = 16;

/** A file shared in a message: the blob's CID plus what the reader needs to fetch and show it. */
export interface ChatAttachment {
  readonly cid: string;
  readonly filename?: string;
  readonly mime_type?: string;
  readonly size_bytes?: number;
  /** Key material for an encrypted blob, if any: sealed with the body, never in clear. */
  readonly key?: string;
}

/** What is sealed: only the sender and the recipient ever see this. */
export interface ChatPlaintext {
  readonly text: string;
  readonly attachments: readonly ChatAttachment[];
}

/** The content key wrapped for one reader. All byte fields base64url without padding. */
export interface WrappedKey {
  /** Ephemeral X25519 public key (32 bytes) used for this reader. */
  readonly epk: string;
  /** XChaCha20-Poly1305 nonce (24 bytes) of the wrap. */
  readonly nonce: string;
  /** Content key (32 bytes) + Poly1305 tag (16 bytes). */
  readonly wrapped: string;
}

export const SEAL_VERSION = 1;
export const SEAL_ALG = 'x25519-xchacha20poly1305';

/** A sealed message body as stored in `chat.message.sent` data. */
export interface SealedMessage {
  readonly v: typeof SEAL_VERSION;
  readonly alg: typeof SEAL_ALG;
  readonly nonce: string;
  readonly ciphertext: string;
  /** Keyed by full node id of each reader (the recipient and the sender). */
  readonly keys: Readonly<Record<string, WrappedKey>>;
}

/** Data of `chat.message.sent`, authored by the sender. */
export interface ChatSentData {
  readonly msg_id: string;
  readonly recipient: string;
  readonly sealed: SealedMessage;
}

/** Data of `chat.message.delivered` / `chat.message.read`, authored by the recipient. */
export interface ChatReceiptData {
  readonly msg_id: string;
}

/** What binds a sealed body to one message (the AAD). */
export interface SealContext {
  readonly communityId: string;
  readonly sender: string;
  readonly recipient: string;
  readonly msgId: string;
}
