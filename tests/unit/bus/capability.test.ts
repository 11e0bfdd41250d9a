import { blake3 as blake3Wasm } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { canonicalJson, RPC_DEFAULT_TIMEOUT_SECONDS } from '../../../src-main/common';
import { defineCapability, schemaHash, schemaHashInput, toCapabilitySpec } from '../../../src-main/runtime/bus';
import type { CapabilityInit } from '../../../src-main/runtime/bus';
import { BusError } from '../../../src-main/runtime/bus';

const chat = (over: Partial<CapabilityInit> = {}) =>
  defineCapability({
    name: 'llm.chat',
    version: [1, 0],
    request_schema: { type: 'object', properties: { messages: { type: 'array' } }, required: ['messages'] },
    response_schema: { type: 'object', properties: { text: { type: 'string' } } },
    params: { model: 'qwen2.5-7b', ctx: 8192 },
    ...over,
  });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BusError);
    return (e as BusError).code;
  }
  throw new Error('did not throw');
}

describe('defineCapability', () => {
  it('fills defaults and freezes', () => {
    const d = defineCapability({ name: 'market.list', version: [1, 0] });
    expect(d).toMatchObject({
      stability: 'experimental',
      request_schema: { type: 'object' },
      response_schema: null,
      stream_schema: null,
      params: {},
      max_concurrent: 4,
      trust_required: 'member',
      timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
      idempotent: false,
    });
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.params)).toBe(true);
  });

  it.each(['chat', 'LLM.chat', 'llm.', '.chat', 'llm..chat', '1llm.chat', 'llm.chat-x', 'llm chat', ''])(
    'rejects the name %j with namespace_violation',
    (name) => {
      expect(codeOf(() => defineCapability({ name, version: [1, 0] }))).toBe('namespace_violation');
    },
  );

  it('accepts namespaced names with digits and underscores', () => {
    for (const name of ['llm.chat', 'rag.list_corpora', 'embed.text', 'a1.b2.c3'])
      expect(defineCapability({ name, version: [1, 0] }).name).toBe(name);
  });

  it.each([
    ['version', { version: [1] as unknown as [number, number] }],
    ['negative version', { version: [1, -1] as [number, number] }],
    ['stability', { stability: 'alpha' as 'beta' }],
    ['trust', { trust_required: 'root' as 'member' }],
    ['max_concurrent', { max_concurrent: 0 }],
    ['timeout', { timeout_seconds: 0 }],
    ['idempotent', { idempotent: 'yes' as unknown as boolean }],
    ['request_schema', { request_schema: [] as unknown as Record<string, unknown> }],
    ['params', { params: null as unknown as Record<string, unknown> }],
  ])('rejects a bad %s with schema_invalid', (_what, over) => {
    expect(codeOf(() => chat(over))).toBe('schema_invalid');
  });
});

describe('schemaHash', () => {
  it('is blake3 of the canonical JSON of {name, version "1.0", schemas} (checked against hash-wasm)', async () => {
    const d = chat();
    const input = schemaHashInput(d);
    expect(input.version).toBe('1.0');
    expect(Object.keys(input).sort()).toEqual([
      'name',
      'request_schema',
      'response_schema',
      'stream_schema',
      'version',
    ]);
    expect(schemaHash(d)).toBe(`blake3:${await blake3Wasm(canonicalJson(input))}`);
    expect(schemaHash(d)).toMatch(/^blake3:[0-9a-f]{64}$/);
  });

  it('is stable: key order, params, limits and flags do not change it', () => {
    const a = chat();
    const b = chat({
      request_schema: { required: ['messages'], properties: { messages: { type: 'array' } }, type: 'object' },
      params: { model: 'other' },
      max_concurrent: 9,
      idempotent: true,
      trust_required: 'trusted',
      stability: 'stable',
    });
    expect(schemaHash(b)).toBe(schemaHash(a));
  });

  it('is sensitive to name, version and every schema', () => {
    const base = schemaHash(chat());
    const variants = [
      chat({ name: 'llm.complete' }),
      chat({ version: [1, 1] }),
      chat({ version: [2, 0] }),
      chat({ request_schema: { type: 'object', properties: { messages: { type: 'array' } } } }),
      chat({ response_schema: null }),
      chat({ stream_schema: { type: 'object' } }),
    ].map(schemaHash);
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('toCapabilitySpec', () => {
  it('gives the manifest subset', () => {
    const d = chat({ stability: 'beta', max_concurrent: 2 });
    expect(toCapabilitySpec(d)).toEqual({
      name: 'llm.chat',
      version: '1.0',
      stability: 'beta',
      schema_hash: schemaHash(d),
      params: { model: 'qwen2.5-7b', ctx: 8192 },
      max_concurrent: 2,
    });
  });
});

describe('schemaHash golden vector (docs/protocol/bus.md)', () => {
  it('matches the documented example', () => {
    const d = defineCapability({
      name: 'embed.text',
      version: [1, 0],
      stability: 'stable',
      idempotent: true,
      params: { model: 'all-minilm-l6-v2' },
      max_concurrent: 4,
      request_schema: {
        type: 'object',
        required: ['texts'],
        properties: { texts: { type: 'array', items: { type: 'string' } } },
      },
      response_schema: { type: 'object', required: ['vectors'], properties: { vectors: { type: 'array' } } },
    });
    expect(canonicalJson(schemaHashInput(d))).toBe(
      '{"name":"embed.text","request_schema":{"properties":{"texts":{"items":{"type":"string"},"type":"array"}},"required":["texts"],"type":"object"},"response_schema":{"properties":{"vectors":{"type":"array"}},"required":["vectors"],"type":"object"},"stream_schema":null,"version":"1.0"}',
    );
    expect(schemaHash(d)).toBe('blake3:d4beed8e44bc085ae337665556f6ab5b11f254fe7a3a3958613141394ddb6a6d');
  });
});
