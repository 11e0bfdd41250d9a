/**
 * Bad input at each entry point the schema library guards gets the schema's sentence naming the
 * field (the app API's own cases are tests/integration/app/bad-input.test.ts; config.toml's are
 * tests/unit/config/config.test.ts): the peer-facing bus call body, chat and marketplace request
 * bodies, a peer's post event, and config.toml values checked by the same config schema.
 */
import { describe, expect, it } from 'vitest';
import { CallError } from '../../../src-main/common';
import {
  ConfigError,
  configFromToml,
  defaultConfig,
  validateConfig,
  type Config,
} from '../../../src-main/runtime/config';
import { CHAT_HISTORY_DEFAULT_LIMIT } from '../../../src-main/runtime/services/chat/views';
import {
  parseHistoryRequest,
  parseMsgIdRequest,
  parseSendRequest,
} from '../../../src-main/runtime/services/chat/input';
import { ChatError } from '../../../src-main/runtime/services/chat/errors';
import { MarketError, validatePostInput } from '../../../src-main/runtime/services/marketplace';
import { readCreatedData } from '../../../src-main/runtime/services/marketplace/validate';
import { parseBusCall } from '../../../src-main/runtime/transport/bus-call';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('accepted');
}

const BOB = 'ed25519:' + 'A'.repeat(43);
const TTL = { defaultTtl: 3600, maxTtl: 86_400 };

describe('bus call body (POST /bus/v1/call)', () => {
  const ok = { capability: 'llm.chat', version: '1.0', body: {} };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['capability', { ...ok, capability: 'LLM chat' }, /^capability: must be a dotted name such as "llm.chat"$/],
    ['version', { ...ok, version: 'one' }, /^version: must look like "1.0"$/],
    ['missing version', { capability: 'llm.chat' }, /^version: is required$/],
    ['trace_id', { ...ok, trace_id: 'x'.repeat(65) }, /^trace_id: must be at most 64 characters \(it has 65\)$/],
    ['session_id', { ...ok, session_id: 5 }, /^session_id: must be text or empty$/],
    ['stream', { ...ok, stream: 'yes' }, /^stream: must be true or false$/],
    ['params', { ...ok, params: [1] }, /^params: must be an object or empty$/],
  ])('%s', (_name, body, message) => {
    const e = thrown(() => parseBusCall(body));
    expect(e).toBeInstanceOf(CallError);
    expect((e as CallError).code).toBe('bad_request');
    expect(e.message).toMatch(message);
  });
  it('a good body passes unchanged', () => {
    expect(parseBusCall({ ...ok, stream: true, params: null })).toEqual({ ...ok, stream: true, params: null });
  });
});

describe('chat request bodies', () => {
  it.each<[string, () => unknown, RegExp]>([
    ['send: to', () => parseSendRequest({ to: 'bob', text: 'hi' }), /^to: must be the full node id/],
    ['send: text', () => parseSendRequest({ to: BOB, text: '' }), /^text: must be 1 to 4000 characters \(it has 0\)$/],
    ['send: extra field', () => parseSendRequest({ to: BOB, text: 'hi', x: 1 }), /^unknown field "x"$/],
    [
      'send: attachment cid',
      () => parseSendRequest({ to: BOB, text: 'hi', attachments: [{ cid: 'nope' }] }),
      /^attachments\[0\]\.cid: must be "blake3:" \+ 64 hex digits$/,
    ],
    ['send: not an object', () => parseSendRequest('hi'), /^the input must be an object$/],
    ['history: limit', () => parseHistoryRequest({ limit: 0 }), /^limit: must be a whole number from 1 to 1000$/],
    ['history: since_lamport', () => parseHistoryRequest({ since_lamport: -1 }), /^since_lamport: must be a whole/],
    ['read receipt: msg_id', () => parseMsgIdRequest({}), /^msg_id: is required$/],
  ])('%s', (_name, fn, message) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(ChatError);
    expect(e.message).toMatch(message);
  });
  it('history fills its defaults without changing the caller’s object', () => {
    const body = {};
    expect(parseHistoryRequest(body)).toEqual({ with: null, sinceLamport: 0, limit: CHAT_HISTORY_DEFAULT_LIMIT });
    expect(body).toEqual({});
  });
});

describe('market.post body and a peer’s post event', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['category', { category: 'sale', title: 'Bike' }, 'category', /^category: must be one of offer, request/],
    ['title', { category: 'offer', title: 'ab' }, 'title', /^title: must be 3 to 120 characters \(it has 2\)$/],
    ['extra', { category: 'offer', title: 'Bike', colour: 'red' }, 'colour', /^unknown field "colour"$/],
    [
      'location',
      { category: 'offer', title: 'Bike', location: { lat: 91, lng: 0 } },
      'location',
      /^location: must be \{lat: -90\.\.90/,
    ],
    ['ttl', { category: 'offer', title: 'Bike', ttl_seconds: 10 }, 'ttl_seconds', /^ttl_seconds: must be a whole/],
    ['ttl max', { category: 'offer', title: 'Bike', ttl_seconds: 90_000 }, 'ttl_seconds', /maximum of 86400/],
  ])('%s', (_name, body, field, message) => {
    const e = thrown(() => validatePostInput(body, TTL));
    expect(e).toBeInstanceOf(MarketError);
    expect((e as MarketError).field).toBe(field);
    expect(e.message).toMatch(message);
  });
  it('a peer’s event that breaks the schema is skipped; a good one is normalised', () => {
    const good = { category: 'offer', title: ' Bike ', tags: ['Red'], expires_at: '2026-01-01T00:00:00Z', v2: 1 };
    expect(readCreatedData(good)).toMatchObject({ title: 'Bike', tags: ['red'], body: '', location: null });
    expect(readCreatedData({ ...good, location: { lat: 0, lng: 200 } })).toBeNull();
    expect(readCreatedData({ ...good, expires_at: '2026-13-45T00:00:00Z' })).toBeNull();
    expect(readCreatedData({ ...good, category: 'sale' })).toBeNull();
  });
});

describe('config checked by its schema', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a date',
      { node: { display_name: new Date(0) } },
      'wrong_type',
      /node\.display_name must be text in quotes, got a date$/,
    ],
    [
      'a section that is a date',
      { transport: new Date(0) },
      'wrong_type',
      /transport must be a \[transport\] table, got a date$/,
    ],
    [
      'a nested unknown key',
      { llm: { backends: [{ name: 'ollama', modle: 'x' }] } },
      'unknown_key',
      /llm\.backends\[0\]\.modle/,
    ],
    ['a retired key', { ui: { launch_browser: true } }, 'unknown_key', /ui\.launch_browser is no longer a setting/],
    ['a ratio', { file: { gc_threshold: 2 } }, 'out_of_range', /file\.gc_threshold must be a fraction from 0 to 1/],
  ])('%s', (_name, doc, code, message) => {
    const e = thrown(() => configFromToml(doc, 'c.toml'));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe(code);
    expect(e.message).toMatch(/^c\.toml: /);
    expect(e.message).toMatch(message);
  });
  it('validateConfig names the key of a bad in-memory value', () => {
    const bad = { ...defaultConfig(), ui: { host: '127.0.0.1', port: 1.5 } } as Config;
    const e = thrown(() => validateConfig(bad));
    expect((e as ConfigError).code).toBe('wrong_type');
    expect(e.message).toBe(
      'config: ui.port must be a whole number from 0 to 65535 (a port; 0 picks a free one), got 1.5',
    );
  });
  it('the defaults come from the schema and pass it', () => {
    expect(() => validateConfig(defaultConfig())).not.toThrow();
    expect(configFromToml({})).toEqual(defaultConfig());
  });
});
