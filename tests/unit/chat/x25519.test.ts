import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fullNodeId } from '../../../src-main/runtime/identity';
import { ChatError, sealMessage } from '../../../src-main/runtime/services/chat';
import {
  x25519FromSecret,
  x25519OfKeyPair,
  x25519PublicOfEd,
  x25519Shared,
} from '../../../src-main/runtime/services/chat/x25519';
import { communityId, generateKeyPair } from './helpers';

describe('x25519 (node:crypto) agrees with @noble/curves', () => {
  it('same public keys and shared secrets for identity-derived and fresh keys', () => {
    for (let i = 0; i < 5; i++) {
      const kp = generateKeyPair();
      const nobleSecret = ed25519.utils.toMontgomerySecret(kp.secretKey);
      expect(x25519OfKeyPair(kp).publicKey).toEqual(x25519.getPublicKey(nobleSecret));
      expect(x25519PublicOfEd(kp.publicKey)).toEqual(ed25519.utils.toMontgomery(kp.publicKey));
      const eph = x25519.utils.randomSecretKey();
      const ours = x25519FromSecret(eph);
      expect(ours.publicKey).toEqual(x25519.getPublicKey(eph));
      expect(x25519Shared(ours.secret, x25519PublicOfEd(kp.publicKey))).toEqual(
        x25519.getSharedSecret(eph, ed25519.utils.toMontgomery(kp.publicKey)),
      );
      expect(x25519Shared(x25519OfKeyPair(kp).secret, ours.publicKey)).toEqual(
        x25519.getSharedSecret(nobleSecret, ours.publicKey),
      );
    }
  });

  it('rejects low-order public keys', () => {
    const eph = x25519FromSecret(x25519.utils.randomSecretKey());
    expect(() => x25519Shared(eph.secret, new Uint8Array(32))).toThrow();
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(() => x25519Shared(eph.secret, one)).toThrow();
  });

  it('sealing to a low-order ed25519 point (the identity) is a bad_request, not a crash', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // ed25519 encoding of the neutral point
    const badId = fullNodeId(identity);
    let err: unknown;
    try {
      sealMessage({
        senderKp: generateKeyPair(),
        recipientNodeId: badId,
        communityId,
        msgId: 'm',
        plaintext: { text: 'hi', attachments: [] },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('bad_request');
  });
});
