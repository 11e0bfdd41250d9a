/**
 * Bad input to every mutation and every long operation of the AppRouter, over HTTP against a real
 * node: a BAD_REQUEST carrying wire code `bad_request` and a sentence naming the field, and
 * nothing written (event log, files, models, config, uploads all unchanged).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appClient, collect, type AppClient } from '../../support/app-client';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

interface Refusal {
  readonly code: string | undefined;
  readonly wire: { code: string; message: string } | undefined;
  readonly message: string;
}

async function refusal(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err;
    const data = err.data as { code?: string; wire?: { code: string; message: string } } | undefined;
    return { code: data?.code, wire: data?.wire, message: err.message };
  }
  throw new Error('the call was accepted');
}

describe('bad input to the app API', () => {
  let mesh: Mesh;
  let api: AppClient;
  let snapshot: () => Promise<unknown>;
  let before: unknown;
  beforeAll(async () => {
    mesh = await createMesh(2);
    const alice = mesh.byName('alice');
    api = appClient(alice.node);
    await waitFor(() => alice.node.api.status().peers.length === 1, 20_000, 'bob');
    const uploads = join(alice.node.config.community.state_dir, 'uploads');
    snapshot = async () => ({
      log: alice.node.api.status().event_log,
      files: (await alice.node.api.filesList()).map((f) => f.cid).sort(),
      models: (await alice.node.api.modelsList()).map((m) => m.file),
      config: readFileSync(alice.configFile, 'utf8'),
      uploads: existsSync(uploads) ? readdirSync(uploads) : [],
      posts: (await alice.node.api.marketList({})).posts.length,
    });
    before = await snapshot();
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
  });

  const mutations: Array<[string, (a: AppClient) => Promise<unknown>, RegExp]> = [
    [
      'callCapability',
      (a) => a.callCapability.mutate({ capability: '', version: '1.0' }),
      /^capability: must not be empty/,
    ],
    [
      'addPeer',
      (a) => a.addPeer.mutate({ host: '127.0.0.1', port: 70_000 }),
      /^port: must be a whole number from 1 to 65535/,
    ],
    [
      'createInvite',
      (a) => a.createInvite.mutate({ nodeId: 'x', level: 'king' as never }),
      /^level: must be one of member, trusted/,
    ],
    [
      'governance',
      (a) => a.governance.mutate({ action: 'banish' as never, nodeId: 'x' }),
      /^action: must be one of revoke, promote, demote/,
    ],
    ['cosign', (a) => a.cosign.mutate({ action: 'revoke' } as never), /^nodeId: is required/],
    ['redeemInvite', (a) => a.redeemInvite.mutate({} as never), /^text: is required/],
    [
      'filesAdd (relative path)',
      (a) => a.filesAdd.mutate({ path: 'notes/plan.pdf' }),
      /^path: must be an absolute path/,
    ],
    ['filesAdd (nothing)', (a) => a.filesAdd.mutate({}), /give either path or upload_id/],
    [
      'marketPost (blank title)',
      (a) => a.marketPost.mutate({ category: 'offer', title: '   ' }),
      /^title: must not be blank/,
    ],
    [
      'marketPost (category)',
      (a) => a.marketPost.mutate({ category: 'sale' as never, title: 'Bike' }),
      /^category: must be one of offer, request, info, emergency/,
    ],
    [
      'marketPost (ttl)',
      (a) => a.marketPost.mutate({ category: 'offer', title: 'Bike', ttl_seconds: 1.5 }),
      /^ttl_seconds: must be a whole number/,
    ],
    [
      'marketPost (tags)',
      (a) => a.marketPost.mutate({ category: 'offer', title: 'Bike', tags: 'red' as never }),
      /^tags: must be a list/,
    ],
    ['marketExpire', (a) => a.marketExpire.mutate({ post_id: 5 as never }), /^post_id: must be text/],
    [
      'chatSend',
      (a) => a.chatSend.mutate({ to: 'bob', text: 'x'.repeat(4_001) }),
      /^text: must be at most 4000 characters/,
    ],
    ['chatMarkRead', (a) => a.chatMarkRead.mutate({ with: 'bob', msg_id: 'x' }), /give either with or msg_id/],
    ['modelsAdd', (a) => a.modelsAdd.mutate({ upload_id: '../../etc/passwd' }), /^upload_id: is not an upload id/],
    ['modelsShare', (a) => a.modelsShare.mutate({ name: '' }), /^name: must not be empty/],
    ['filesShare', (a) => a.filesShare.mutate({ cid: 'abc' }), /^cid: "abc" is not a file id/],
    [
      'settingsUpdate (profile)',
      (a) => a.settingsUpdate.mutate({ profile: 'castle' as never }),
      /^profile: must be one of anchor, hearth, spark, bridge/,
    ],
    ['settingsUpdate (nothing)', (a) => a.settingsUpdate.mutate({}), /give display_name or profile/],
    [
      'settingsUpdate (name)',
      (a) => a.settingsUpdate.mutate({ display_name: 'x'.repeat(65) }),
      /^display_name: must be at most 64 characters/,
    ],
    ['embeddingAdd', (a) => a.embeddingAdd.mutate({ path: 'models/bge' }), /^path: must be an absolute path/],
    ['not an object', (a) => a.marketPost.mutate('ladder' as never), /^the input must be an object/],
  ];

  it.each(mutations)('%s: refused with the field named', async (_name, call, message) => {
    const r = await refusal(call(api));
    expect(r.code).toBe('BAD_REQUEST');
    expect(r.wire?.code).toBe('bad_request');
    expect(r.message).toMatch(message);
    expect(r.wire?.message).toBe(r.message);
  });

  const operations: Array<
    [
      string,
      (
        a: AppClient,
        h: Parameters<typeof collect>[0] extends (h: infer H) => unknown ? H : never,
      ) => { unsubscribe(): void },
      RegExp,
    ]
  > = [
    ['ask', (a, h) => a.ask.subscribe({ question: '' }, h), /^question: must not be empty/],
    ['filesFetch', (a, h) => a.filesFetch.subscribe({} as never, h), /^cid: is required/],
    [
      'modelsPull',
      (a, h) => a.modelsPull.subscribe({ url: 'http://127.0.0.1:9/m.gguf', sha256: 'abc' }, h),
      /^sha256: must be 64 hexadecimal characters/,
    ],
    ['modelsCopy', (a, h) => a.modelsCopy.subscribe({ cid: 7 as never }, h), /^cid: must be text/],
    ['ragIngest', (a, h) => a.ragIngest.subscribe({ corpus: 'first-aid' }, h), /give either path or upload_id/],
    ['ragReindex', (a, h) => a.ragReindex.subscribe({ corpus: '' }, h), /^corpus: must not be empty/],
    ['onTraces', (a, h) => a.onTraces.subscribe({ capability: '' }, h), /^capability: must not be empty/],
  ];

  it.each(operations)('%s (subscription): ends with the field named', async (_name, subscribe, message) => {
    const err = await collect(
      (h) => subscribe(api, h as never),
      () => false,
      10_000,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCClientError);
    const e = err as TRPCClientError<never>;
    expect((e.data as unknown as { wire?: { code: string } } | null)?.wire?.code).toBe('bad_request');
    expect(e.message).toMatch(message);
  });

  it('wrote nothing', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
