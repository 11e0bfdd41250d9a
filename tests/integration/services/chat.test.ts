/**
 * Private chat end to end: a message to a node that is down reaches it when it comes back (stored
 * and forwarded), the receipt returns to the sender, and a relaying neighbour keeps no plaintext.
 * Tampering per field is covered in tests/unit/chat/seal.test.ts; here we tamper a real replicated envelope.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMessage, type ChatMessage, type SealedMessage } from '../../../src-main/runtime/services/chat';
import { waitFor, type Mesh } from '../../support/mesh';
import { fullMeshForFile } from '../../support/mesh-per-file';

const history = async (n: Mesh['nodes'][number]['node'], withId: string) =>
  ((await n.bus.call('chat.history', [1, 0], { with: withId })) as { messages: ChatMessage[] }).messages;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('chat across the mesh', () => {
  const mesh = fullMeshForFile();

  it('a message to a stopped node arrives when it restarts; the receipt reaches the sender; the relay holds no plaintext', async () => {
    const alice = mesh().byName('alice').node;
    const bob = mesh().byName('bob').node;
    const carolM = mesh().byName('carol');
    const carolId = carolM.node.kp.nodeIdFull;
    await carolM.stop();

    const text = `Parcel for you at number 7 - secret word ${Math.random().toString(36).slice(2)}`;
    const sent = (await alice.bus.call('chat.send', [1, 0], { to: carolId, text })) as {
      msg_id: string;
      event_id: string;
      delivery: string;
    };
    expect(['forwarded', 'queued']).toContain(sent.delivery); // carol is down: never 'direct'
    expect(
      alice
        .scope()!
        .services.delivery!.pending()
        .map((e) => e.msg_id),
    ).toContain(sent.msg_id);

    // Bob carries the sealed event (forwarded or synced) but cannot read it.
    await waitFor(() => bob.community()!.log.get(sent.event_id), 10_000, 'bob to hold the sealed message');
    expect(await history(bob, alice.kp.nodeIdFull)).toEqual([]);
    const needle = Buffer.from(text.split(' - ')[1], 'utf8');
    const bobFiles = filesUnder(bob.config.community.state_dir);
    expect(bobFiles.some((f) => f.endsWith('events.db'))).toBe(true);
    // Control: the event is on bob's disk (its msg_id is in the clear), so the search below can see it.
    expect(bobFiles.some((f) => readFileSync(f).includes(Buffer.from(sent.msg_id)))).toBe(true);
    for (const f of bobFiles) expect(readFileSync(f).includes(needle), `plaintext found in ${f}`).toBe(false);

    const carol = await carolM.restart();
    const got = await waitFor(
      async () => (await history(carol, alice.kp.nodeIdFull)).find((m) => m.msg_id === sent.msg_id),
      15_000,
      'carol to receive the message',
    );
    expect(got.body).toBe(text);
    expect(got.sender).toBe(alice.kp.nodeIdFull);

    const receipt = await waitFor(
      async () => (await history(alice, carolId)).find((m) => m.msg_id === sent.msg_id && m.delivered_at !== null),
      15_000,
      'the delivered receipt at alice',
    );
    expect(receipt.body).toBe(text); // the sender can reopen her own message
    await waitFor(
      () =>
        !alice
          .scope()!
          .services.delivery!.pending()
          .some((e) => e.msg_id === sent.msg_id),
      5_000,
      "alice's outbox to clear",
    );

    // Bob's files after all that traffic (events.db, -wal, snapshots): still no plaintext.
    for (const f of filesUnder(bob.config.community.state_dir))
      expect(readFileSync(f).includes(needle), `plaintext found in ${f}`).toBe(false);

    // The replicated envelope, one ciphertext byte flipped, does not open for carol.
    const ev = carol.community()!.log.get(sent.event_id)!;
    const sealed = ev.data.sealed as SealedMessage;
    const ctx = {
      communityId: carol.community()!.communityId,
      sender: alice.kp.nodeIdFull as string,
      recipient: carolId as string,
      msgId: sent.msg_id,
    };
    expect(openMessage(sealed, carol.kp, ctx).text).toBe(text);
    const ct = Buffer.from(sealed.ciphertext, 'base64url');
    ct[0] ^= 1;
    expect(() => openMessage({ ...sealed, ciphertext: ct.toString('base64url') }, carol.kp, ctx)).toThrow(
      expect.objectContaining({ code: 'decrypt_failed' }),
    );
    // Bob, a member but not a reader, cannot open the untouched one.
    expect(() => openMessage(sealed, bob.kp, ctx)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
  });
});
