import { describe, expect, it } from 'vitest';
import { defineCapability, SchemaValidator } from '../../../src-main/runtime/bus';
import { createMesh } from './loopback-mesh';
import { BusError } from '../../../src-main/runtime/bus';

const d = defineCapability({
  name: 'llm.chat',
  version: [1, 0],
  request_schema: {
    type: 'object',
    required: ['messages'],
    properties: {
      messages: {
        type: 'array',
        items: {
          type: 'object',
          required: ['role', 'content'],
          properties: { role: { type: 'string' }, content: { type: 'string' } },
        },
      },
    },
  },
  response_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
  stream_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
});

function err(fn: () => void): BusError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BusError);
    return e as BusError;
  }
  throw new Error('did not throw');
}

describe('SchemaValidator', () => {
  const v = new SchemaValidator();

  it('accepts valid bodies', () => {
    expect(() => v.validateRequest(d, { messages: [{ role: 'user', content: 'hi' }] })).not.toThrow();
    expect(() => v.validateResponse(d, { text: 'hello' })).not.toThrow();
  });

  it('names the first failing path', () => {
    const e = err(() => v.validateRequest(d, { messages: [{ role: 7, content: 'hi' }] }));
    expect(e.code).toBe('schema_mismatch');
    expect(e.wireCode).toBe('schema_mismatch');
    expect(e.message).toBe('llm.chat@1.0 request: /messages/0/role must be string');
    expect(err(() => v.validateRequest(d, {})).message).toMatch(
      /request: \(root\) must have required property 'messages'/,
    );
    expect(err(() => v.validateRequest(d, 'hi')).message).toMatch(/\(root\) must be object/);
  });

  it('checks responses and payload stream frames, not control frames', () => {
    expect(err(() => v.validateResponse(d, { text: 1 })).message).toMatch(
      /llm.chat@1.0 response: \/text must be string/,
    );
    expect(err(() => v.validateStreamFrame(d, { event: 'token', data: { nope: 1 } })).message).toMatch(
      /stream frame: \(root\) must have required property 'text'/,
    );
    expect(() => v.validateStreamFrame(d, { event: 'token', data: { text: 'a' } })).not.toThrow();
    expect(() => v.validateStreamFrame(d, { event: 'done', data: { tokens_out: 3 } })).not.toThrow();
    expect(() => v.validateStreamFrame(d, { event: 'progress', data: {} })).not.toThrow();
  });

  it('compiles once per schema hash', () => {
    const fresh = new SchemaValidator();
    fresh.compile(d);
    fresh.compile(d);
    fresh.compile(defineCapability({ ...d, params: { model: 'other' } })); // same contract, other instance
    expect(fresh.compiledCount).toBe(1);
    fresh.compile(defineCapability({ ...d, version: [1, 1] }));
    expect(fresh.compiledCount).toBe(2);
  });

  it('rejects an invalid schema at registration with schema_invalid, registering nothing', () => {
    const {
      nodes: [alice],
    } = createMesh(['alice']);
    const bad = defineCapability({ name: 'rag.query', version: [1, 0], request_schema: { type: 'banana' } });
    const e = err(() => alice.bus.registerCapability(bad, () => Promise.resolve({})));
    expect(e.code).toBe('schema_invalid');
    expect(e.message).toMatch(/rag.query@1.0: request_schema is not a valid JSON Schema/);
    expect(alice.bus.registry.all()).toHaveLength(0);
    const badResp = defineCapability({
      name: 'rag.query',
      version: [1, 0],
      response_schema: { properties: { a: { minLength: 'x' } } },
    });
    expect(err(() => alice.bus.registerCapability(badResp, () => Promise.resolve({}))).code).toBe('schema_invalid');
    expect(alice.bus.localCapabilitySpecs()).toEqual([]);
  });
});
