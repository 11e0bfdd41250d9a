/**
 * Fuzz: discovery packets (UDP announcements, mDNS responses) that anyone on the LAN can send, and
 * the config file a person edits. Never a crash; packets are dropped with a named reason (a mutated
 * announcement is never taken as valid unless unchanged in meaning); config errors are ConfigError.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src-main/runtime/config';
import {
  encodeAnnouncement,
  MDNS_SERVICE,
  parseAnnouncement,
  parseResponse,
  parseTxt,
} from '../../src-main/runtime/discovery';
import { generateKeyPair } from '../../src-main/runtime/identity';
import { budget, expectOnly, mutated, mutatedBytes } from './budget';
import { CONFIG_ERROR_CODES } from '../../src-main/runtime/config';

const kp = generateKeyPair();
const us = generateKeyPair();
const community = generateKeyPair().nodeIdFull;
const nowSeconds = Math.floor(Date.now() / 1000);
const ctx = { communityId: community, ourNodeIdFull: us.nodeIdFull, nowSeconds };
const REASONS = ['malformed', 'oversize', 'bad_signature', 'foreign_community', 'own', 'stale', 'replayed'];

describe('fuzz: UDP announcements', () => {
  const { bytes: valid, packet } = encodeAnnouncement(
    {
      node_id: kp.nodeIdFull,
      community_id: community,
      display_name: 'Alice',
      profile: 'hearth',
      port: 7080,
      capabilities: ['llm.chat', 'market.list'],
      ts: nowSeconds,
      seq: 1,
    },
    kp,
  );

  it('the valid packet parses (the baseline)', () => {
    expect(parseAnnouncement(valid, ctx)).toEqual({ ok: true, packet });
  });

  it('arbitrary and mutated datagrams: dropped with a named reason, or the same announcement', () => {
    const datagram = fc.oneof(
      fc.uint8Array({ maxLength: 1400 }),
      mutatedBytes(valid),
      mutated(valid.toString('utf8')).map((s) => Buffer.from(s)),
    );
    fc.assert(
      fc.property(datagram, (d) => {
        const r = parseAnnouncement(d, ctx);
        if (r.ok) expect(r.packet).toEqual(packet);
        else expect(REASONS).toContain(r.reason);
      }),
      budget(),
    );
  });
});

describe('fuzz: mDNS responses', () => {
  const rr = fc.oneof(
    fc.record({
      type: fc.constant('PTR' as const),
      name: fc.oneof(fc.constant(MDNS_SERVICE), fc.string()),
      data: fc.oneof(fc.constant('x._hearthnet._tcp.local'), fc.string()),
    }),
    fc.record({
      type: fc.constant('SRV' as const),
      name: fc.oneof(fc.constant('x._hearthnet._tcp.local'), fc.string()),
      data: fc.record({ port: fc.oneof(fc.integer(), fc.double()), target: fc.string() }),
    }),
    fc.record({
      type: fc.constant('TXT' as const),
      name: fc.oneof(fc.constant('x._hearthnet._tcp.local'), fc.string()),
      data: fc.oneof(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(
              'v=1',
              'port=7080',
              `nid=${kp.nodeIdFull}`,
              `id=${kp.nodeIdShort}`,
              `c=${community}`,
              'nid=ed25519:zz',
            ),
            fc.uint8Array().map((b) => Buffer.from(b)),
          ),
        ),
        fc.string(),
      ),
    }),
    fc.record({ type: fc.constantFrom('A' as const, 'AAAA' as const), name: fc.string(), data: fc.string() }),
  );

  it('arbitrary records: a list of well-formed instances, never a crash', () => {
    fc.assert(
      fc.property(fc.array(rr, { maxLength: 12 }), (records) => {
        for (const inst of parseResponse(records)) expect(inst.port).toBeGreaterThan(0);
      }),
      budget(),
    );
  });

  it('arbitrary TXT data never crashes', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => void parseTxt(v)),
      budget(),
    );
  });
});

describe('fuzz: config TOML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hn-fuzz-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const validToml = [
    '[node]',
    'display_name = "Our house"',
    'profile = "hearth"',
    '',
    '[transport]',
    'port = 7080',
    '',
    '[discovery]',
    'mdns_enabled = false',
    '',
    '[market]',
    'default_ttl_seconds = 86400',
    '',
  ].join('\n');

  it('arbitrary and mutated config files: a config or a ConfigError with a documented code', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      mutated(validToml),
      fc
        .dictionary(
          fc.constantFrom('node', 'transport', 'ui', 'market', 'chat', 'bogus'),
          fc.dictionary(
            fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /^[a-z_]+$/.test(k)),
            fc.oneof(fc.integer(), fc.string(), fc.boolean()),
          ),
        )
        .map((doc) =>
          Object.entries(doc)
            .map(
              ([t, kv]) =>
                `[${t}]\n${Object.entries(kv)
                  .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
                  .join('\n')}`,
            )
            .join('\n'),
        ),
    );
    let i = 0;
    fc.assert(
      fc.property(text, (t) => {
        const file = join(dir, `c${i++}.toml`);
        writeFileSync(file, t);
        expectOnly(CONFIG_ERROR_CODES, () => loadConfig(file, { env: { HEARTHNET_HOME: dir } }));
      }),
      budget(),
    );
  });
});
