/**
 * End-to-end sealing of chat bodies (docs/protocol/chat.md §Sealing): XChaCha20-Poly1305 under a
 * fresh content key, the key wrapped for each reader through ephemeral X25519 derived from the
 * readers' ed25519 node ids, so no extra keys are ever distributed.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../../../common';
import { parseNodeId, type KeyPair } from '../../identity';
import { ChatError } from './errors';
import { parsePlaintext } from './plaintext';
import { x25519FromSecret, x25519OfKeyPair, x25519PublicOfEd, x25519Shared } from './x25519';
import {
  SEAL_ALG,
  SEAL_VERSION,
  type ChatPlaintext,
  type SealContext,
  type SealedMessage,
  type WrappedKey,
} from './types';

/** HKDF info string; a new construction gets a new string. */
export const SEAL_HKDF_INFO = 'hearthnet-chat-v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const WRAPPED_BYTES = KEY_BYTES + 16;

/** Source of random bytes; tests inject a deterministic one to reproduce the documented vector. */
export type RandomSource = (length: number) => Uint8Array;

export interface SealInput {
  readonly senderKp: KeyPair;
  readonly recipientNodeId: string;
  readonly communityId: string;
  readonly msgId: string;
  readonly plaintext: ChatPlaintext;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/** AAD of the body: binds the ciphertext to one message of one community between two nodes. */
export function bodyAad(ctx: SealContext): Uint8Array {
  return enc.encode(
    canonicalJson({ community_id: ctx.communityId, msg_id: ctx.msgId, recipient: ctx.recipient, sender: ctx.sender }),
  );
}

/** AAD of one reader's wrapped key: the body AAD fields plus the reader. */
function wrapAad(ctx: SealContext, reader: string): Uint8Array {
  return enc.encode(
    canonicalJson({
      community_id: ctx.communityId,
      msg_id: ctx.msgId,
      reader,
      recipient: ctx.recipient,
      sender: ctx.sender,
    }),
  );
}

/** HKDF-SHA256(ikm = X25519 shared secret, salt = epk ‖ reader X25519 public key, info) -> 32 bytes. */
function wrapKey(shared: Uint8Array, epk: Uint8Array, readerX: Uint8Array): Uint8Array {
  const salt = new Uint8Array(64);
  salt.set(epk, 0);
  salt.set(readerX, 32);
  return hkdf(sha256, shared, salt, enc.encode(SEAL_HKDF_INFO), KEY_BYTES);
}

/**
 * Seal `plaintext` so that only the recipient and the sender can open it. Readers are processed
 * in ascending node-id order (this fixes the order random bytes are drawn, for the test vector).
 * Throws ChatError('bad_request') on a malformed recipient id or plaintext.
 */
export function sealMessage(input: SealInput, random: RandomSource = randomBytes): SealedMessage {
  const sender = input.senderKp.nodeIdFull as string;
  const ctx: SealContext = {
    communityId: input.communityId,
    sender,
    recipient: input.recipientNodeId,
    msgId: input.msgId,
  };
  const plaintext = parsePlaintext(input.plaintext);
  const readers = [...new Set([input.recipientNodeId, sender])].sort();
  const readerX = new Map<string, Uint8Array>();
  for (const r of readers) {
    try {
      readerX.set(r, x25519PublicOfEd(parseNodeId(r)));
    } catch (err) {
      throw new ChatError('bad_request', `"${r}" is not a full node id, so a message cannot be sealed to it`, {
        cause: err,
      });
    }
  }
  const contentKey = random(KEY_BYTES);
  const nonce = random(NONCE_BYTES);
  const ciphertext = xchacha20poly1305(contentKey, nonce, bodyAad(ctx)).encrypt(enc.encode(canonicalJson(plaintext)));
  const keys: Record<string, WrappedKey> = {};
  for (const r of readers) {
    const eph = x25519FromSecret(random(KEY_BYTES));
    const epk = eph.publicKey;
    const rx = readerX.get(r);
    if (!rx) throw new Error(`no X25519 key for reader ${r}`); // readerX is built from readers
    let shared: Uint8Array;
    try {
      shared = x25519Shared(eph.secret, rx);
    } catch (err) {
      throw new ChatError(
        'bad_request',
        `"${r}" is not a usable public key (low order), so a message cannot be sealed to it`,
        { cause: err },
      );
    }
    const kek = wrapKey(shared, epk, rx);
    const wrapNonce = random(NONCE_BYTES);
    const wrapped = xchacha20poly1305(kek, wrapNonce, wrapAad(ctx, r)).encrypt(contentKey);
    keys[r] = { epk: b64(epk), nonce: b64(wrapNonce), wrapped: b64(wrapped) };
  }
  return { v: SEAL_VERSION, alg: SEAL_ALG, nonce: b64(nonce), ciphertext: b64(ciphertext), keys };
}

/**
 * Open a sealed body as `readerKp`, checking it belongs to the message described by `ctx`.
 * Throws ChatError('decrypt_failed') with `details.reason` = 'malformed' | 'not_a_reader' |
 * 'auth_failed' when it cannot (tampered bytes, wrong message context, not addressed to us).
 */
export function openMessage(sealed: unknown, readerKp: KeyPair, ctx: SealContext): ChatPlaintext {
  const s = sealed as Partial<SealedMessage> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.v !== SEAL_VERSION ||
    s.alg !== SEAL_ALG ||
    !s.keys ||
    typeof s.keys !== 'object'
  ) {
    throw fail('malformed', `the sealed message is not a version ${SEAL_VERSION} ${SEAL_ALG} envelope`);
  }
  const reader = readerKp.nodeIdFull as string;
  const entry = Object.hasOwn(s.keys, reader) ? s.keys[reader] : undefined;
  if (!entry) throw fail('not_a_reader', 'this message is not addressed to this node, so it cannot be read here');
  const epk = bytes(entry.epk, KEY_BYTES, 'epk');
  const wrapNonce = bytes(entry.nonce, NONCE_BYTES, 'key nonce');
  const wrapped = bytes(entry.wrapped, WRAPPED_BYTES, 'wrapped key');
  const nonce = bytes(s.nonce, NONCE_BYTES, 'nonce');
  const ciphertext = bytes(s.ciphertext, null, 'ciphertext');
  let contentKey: Uint8Array;
  try {
    const ours = x25519OfKeyPair(readerKp);
    const kek = wrapKey(x25519Shared(ours.secret, epk), epk, ours.publicKey);
    contentKey = xchacha20poly1305(kek, wrapNonce, wrapAad(ctx, reader)).decrypt(wrapped);
  } catch (err) {
    throw fail(
      'auth_failed',
      'the message key could not be unwrapped: it was altered, or belongs to another message',
      err,
    );
  }
  let body: Uint8Array;
  try {
    body = xchacha20poly1305(contentKey, nonce, bodyAad(ctx)).decrypt(ciphertext);
  } catch (err) {
    throw fail(
      'auth_failed',
      'the message body failed authentication: it was altered, or belongs to another message',
      err,
    );
  }
  try {
    return parsePlaintext(JSON.parse(dec.decode(body)));
  } catch (err) {
    throw fail('malformed', 'the decrypted message is not a valid chat body', err);
  }
}

function bytes(text: unknown, length: number | null, what: string): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text))
    throw fail('malformed', `the sealed message's ${what} is not base64url`);
  const b = new Uint8Array(Buffer.from(text, 'base64url'));
  if (length !== null && b.length !== length)
    throw fail('malformed', `the sealed message's ${what} is ${b.length} bytes, expected ${length}`);
  return b;
}

function fail(reason: 'malformed' | 'not_a_reader' | 'auth_failed', message: string, cause?: unknown): ChatError {
  return new ChatError('decrypt_failed', message, { details: { reason }, cause });
}
