import { describe, expect, it } from 'vitest';
import { toWireError } from '../../../src-main/common';
import { keyPairFromSeed } from '../../../src-main/runtime/identity';
import { ChatError, openMessage, sealMessage, type SealedMessage } from '../../../src-main/runtime/services/chat';
import { communityId, generateKeyPair } from './helpers';

const alice = generateKeyPair();
const bob = generateKeyPair();
const carol = generateKeyPair();
const msgId = '01J0ABCDEFGHJKMNPQRSTVWXYZ';
const ctx = { communityId, sender: alice.nodeIdFull as string, recipient: bob.nodeIdFull as string, msgId };
const plaintext = {
  text: 'Spare eggs at ours, come by 🥚',
  attachments: [
    {
      cid: `blake3:${'ab'.repeat(32)}`,
      filename: 'eggs.jpg',
      mime_type: 'image/jpeg',
      size_bytes: 1234,
      key: 'secret-blob-key',
    },
  ],
};
const seal = (): SealedMessage =>
  sealMessage({ senderKp: alice, recipientNodeId: bob.nodeIdFull, communityId, msgId, plaintext });

function expectDecryptFailed(fn: () => unknown, reason: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('decrypt_failed');
    expect((err as ChatError).details.reason).toBe(reason);
    expect(toWireError(err).code).toBe('bad_request');
    return;
  }
  throw new Error('expected decrypt_failed');
}

/** Flip one bit of a base64url field. */
function flip(b64: string, byte = 0): string {
  const b = Buffer.from(b64, 'base64url');
  b[byte] ^= 0x01;
  return b.toString('base64url');
}

describe('sealMessage / openMessage', () => {
  it('opens for the recipient and for the sender, and only they hold wrapped keys', () => {
    const s = seal();
    expect(s.v).toBe(1);
    expect(s.alg).toBe('x25519-xchacha20poly1305');
    expect(Object.keys(s.keys).sort()).toEqual([alice.nodeIdFull, bob.nodeIdFull].sort());
    expect(openMessage(s, bob, ctx)).toEqual(plaintext);
    expect(openMessage(s, alice, ctx)).toEqual(plaintext);
    expect(JSON.stringify(s)).not.toContain('Spare eggs');
    expect(JSON.stringify(s)).not.toContain('secret-blob-key');
  });

  it('a third member cannot open it (not_a_reader), even after grafting its id onto a key entry', () => {
    const s = seal();
    expectDecryptFailed(() => openMessage(s, carol, ctx), 'not_a_reader');
    const grafted = { ...s, keys: { ...s.keys, [carol.nodeIdFull]: s.keys[bob.nodeIdFull] } };
    expectDecryptFailed(() => openMessage(grafted, carol, ctx), 'auth_failed');
  });

  it('rejects tampered ciphertext, body nonce, wrapped key, key nonce and epk', () => {
    const s = seal();
    const k = s.keys[bob.nodeIdFull];
    const cases: SealedMessage[] = [
      { ...s, ciphertext: flip(s.ciphertext, 3) },
      { ...s, ciphertext: flip(s.ciphertext, Buffer.from(s.ciphertext, 'base64url').length - 1) }, // the tag
      { ...s, nonce: flip(s.nonce) },
      { ...s, keys: { ...s.keys, [bob.nodeIdFull]: { ...k, wrapped: flip(k.wrapped) } } },
      { ...s, keys: { ...s.keys, [bob.nodeIdFull]: { ...k, nonce: flip(k.nonce) } } },
      { ...s, keys: { ...s.keys, [bob.nodeIdFull]: { ...k, epk: flip(k.epk, 5) } } },
    ];
    for (const c of cases) expectDecryptFailed(() => openMessage(c, bob, ctx), 'auth_failed');
    // The untouched envelope still opens: the failures above come from the edits.
    expect(openMessage(s, bob, ctx).text).toBe(plaintext.text);
  });

  it('rejects the right bytes in the wrong message context (AAD): other msg_id, community, sender or recipient', () => {
    const s = seal();
    for (const wrong of [
      { ...ctx, msgId: '01J0ABCDEFGHJKMNPQRSTVWXY0' },
      { ...ctx, communityId: carol.nodeIdFull },
      { ...ctx, sender: carol.nodeIdFull },
      { ...ctx, recipient: carol.nodeIdFull },
    ]) {
      expectDecryptFailed(() => openMessage(s, bob, wrong), 'auth_failed');
    }
  });

  it('a wrapped key moved to another reader slot does not open (the reader is in the key AAD)', () => {
    const s = seal();
    // Alice's entry put under Bob's id: Bob's X25519 key gives a different shared secret anyway,
    // and even a matching secret would fail the per-reader AAD.
    const swapped = {
      ...s,
      keys: { [bob.nodeIdFull]: s.keys[alice.nodeIdFull], [alice.nodeIdFull]: s.keys[bob.nodeIdFull] },
    };
    expectDecryptFailed(() => openMessage(swapped, bob, ctx), 'auth_failed');
    expectDecryptFailed(() => openMessage(swapped, alice, ctx), 'auth_failed');
  });

  it('rejects malformed envelopes with reason malformed', () => {
    const s = seal();
    const k = s.keys[bob.nodeIdFull];
    for (const bad of [
      null,
      'x',
      { ...s, v: 2 },
      { ...s, alg: 'aes' },
      { ...s, keys: null },
      { ...s, nonce: 'not base64!' },
      { ...s, nonce: 'AAAA' },
      { ...s, keys: { [bob.nodeIdFull]: { ...k, wrapped: 'AAAA' } } },
    ]) {
      expectDecryptFailed(() => openMessage(bad, bob, ctx), 'malformed');
    }
  });

  it('fresh randomness per message: sealing twice gives different ciphertexts and keys', () => {
    const a = seal();
    const b = seal();
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.keys[bob.nodeIdFull].epk).not.toBe(b.keys[bob.nodeIdFull].epk);
  });

  it('refuses to seal to a short or malformed node id, and bad bodies, with bad_request', () => {
    const bad = (fn: () => unknown, text: RegExp) => {
      expect(fn).toThrow(ChatError);
      expect(fn).toThrow(text);
      try {
        fn();
      } catch (e) {
        expect((e as ChatError).code).toBe('bad_request');
      }
    };
    bad(
      () => sealMessage({ senderKp: alice, recipientNodeId: bob.nodeIdShort, communityId, msgId, plaintext }),
      /full node id/,
    );
    bad(
      () =>
        sealMessage({
          senderKp: alice,
          recipientNodeId: bob.nodeIdFull,
          communityId,
          msgId,
          plaintext: { text: '', attachments: [] },
        }),
      /1 to 4000/,
    );
    bad(
      () =>
        sealMessage({
          senderKp: alice,
          recipientNodeId: bob.nodeIdFull,
          communityId,
          msgId,
          plaintext: { text: 'x'.repeat(4001), attachments: [] },
        }),
      /1 to 4000/,
    );
    bad(
      () =>
        sealMessage({
          senderKp: alice,
          recipientNodeId: bob.nodeIdFull,
          communityId,
          msgId,
          plaintext: { text: 'hi', attachments: [{ cid: 'nope' }] },
        }),
      /cid/,
    );
  });

  it('reproduces the documented test vector (docs/protocol/chat.md)', () => {
    const sender = keyPairFromSeed(new Uint8Array(32).fill(0x11));
    const recipient = keyPairFromSeed(new Uint8Array(32).fill(0x22));
    const community = keyPairFromSeed(new Uint8Array(32).fill(0x33)).nodeIdFull as string;
    let draw = 0;
    const random = (n: number) => new Uint8Array(n).fill(++draw);
    const vctx = {
      communityId: community,
      sender: sender.nodeIdFull as string,
      recipient: recipient.nodeIdFull as string,
      msgId: '01J00000000000000000000000',
    };
    const s = sealMessage(
      {
        senderKp: sender,
        recipientNodeId: recipient.nodeIdFull,
        communityId: community,
        msgId: vctx.msgId,
        plaintext: { text: 'Hello from the hearth', attachments: [] },
      },
      random,
    );
    expect(s).toEqual(VECTOR);
    expect(openMessage(VECTOR, recipient, vctx)).toEqual({ text: 'Hello from the hearth', attachments: [] });
    expect(openMessage(VECTOR, sender, vctx)).toEqual({ text: 'Hello from the hearth', attachments: [] });
  });
});

const VECTOR: SealedMessage = {
  v: 1,
  alg: 'x25519-xchacha20poly1305',
  nonce: 'AgICAgICAgICAgICAgICAgICAgICAgIC',
  ciphertext: 't0RXm94WnyXNBA_lAXJDxZD509xQnl81ekX0Cx29kLj2Cqq8RnAlaHsJ8on9zlAaPjuUwgYX6W0PNoFvUzuyHkw',
  keys: {
    'ed25519:0EqyMnQrtKs6E2i9RhXk5tAiSrcaAWuvhSCjMsl3hzc': {
      epk: 'Xf7dO2vUf2-ijuFdlp1bsOpTd01Ii9r53xxuASSz7yI',
      nonce: 'BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE',
      wrapped: 'UCf_34vsbf8UEuAkFRL-2BU8smffyzRGBbKWMS67DtG1GS9ecqcot5QniMT3EagB',
    },
    'ed25519:oJql9HpnWYAv-VX43C0qFKXJnSO-l_hkEn_5ODRVpPA': {
      epk: 'UKYUCbHd0DJemxa3AOcZ6XcsBwALG9d4bpB8ZT0gSV0',
      nonce: 'BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYG',
      wrapped: 'tibDHJQ9XNyWHiQe_s-f0-oVb0e5JNlDO5ShgovhFftYSzwKjuxxOc02KfODbGSl',
    },
  },
};
