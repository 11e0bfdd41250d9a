/** SSE / NDJSON readers, Retry-After parsing, redaction, error wire codes and the llm@1.0 schemas. */
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { toWireError } from '../../../src-main/common';
import {
  LLM_CHAT_REQUEST_SCHEMA,
  LLM_COMPLETE_REQUEST_SCHEMA,
  LLM_DONE_FRAME_SCHEMA,
  LLM_RESPONSE_SCHEMA,
  LLM_TOKEN_FRAME_SCHEMA,
  LlmError,
  redact,
  retryAfterMs,
} from '../../../src-main/runtime/services/llm';
import { LLM_ERROR_CODES, llmWireCode } from '../../../src-main/runtime/services/llm/backends/errors';
import { readNdjson, readSse } from '../../../src-main/runtime/services/llm/backends/stream-readers';

function body(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('readSse', () => {
  it('parses events split across chunks, CRLF endings, comments and multi-line data', async () => {
    const events = await all(
      readSse(
        body([
          'data: {"a"',
          ':1}\r\n\r\n: keep-alive\n\nevent: message_stop\nda',
          'ta: x\ndata: y\n\ndata: [DONE]\n\n',
        ]),
      ),
    );
    expect(events).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message_stop', data: 'x\ny' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('splits a multi-byte character across chunks correctly', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n');
    const s = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 7));
        c.enqueue(bytes.slice(7));
        c.close();
      },
    });
    expect(await all(readSse(s))).toEqual([{ event: 'message', data: 'é' }]);
  });
});

describe('readNdjson', () => {
  it('parses one object per line and skips blank lines', async () => {
    expect(await all(readNdjson(body(['{"a":1}\n\n{"b"', ':2}\n'])))).toEqual([{ a: 1 }, { b: 2 }]);
  });
  it('throws SyntaxError on a malformed line', async () => {
    await expect(all(readNdjson(body(['{"a":\n'])))).rejects.toBeInstanceOf(SyntaxError);
  });
});

describe('retryAfterMs and redact', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
  it('removes every occurrence of each secret', () => {
    expect(redact('key sk-abcdef and sk-abcdef', ['sk-abcdef'])).toBe('key [redacted] and [redacted]');
    expect(redact('abc', ['ab'])).toBe('abc');
  });
});

describe('LlmError', () => {
  it('maps every code to the wire code the brief names', () => {
    const expected: Record<string, string> = {
      backend_unreachable: 'partition',
      model_not_found: 'not_found',
      auth_failed: 'forbidden',
      rate_limited: 'capacity_exceeded',
      timeout: 'timeout',
      bad_response: 'internal_error',
      bad_request: 'bad_request',
      cancelled: 'cancelled',
      closed: 'partition',
    };
    for (const c of LLM_ERROR_CODES) {
      expect(llmWireCode(c)).toBe(expected[c]);
      expect(new LlmError(c, 'm').wireCode).toBe(expected[c]);
    }
    expect(toWireError(new LlmError('rate_limited', 'slow down', { details: { retry_after_ms: 1500 } }))).toEqual({
      code: 'capacity_exceeded',
      message: 'slow down',
      retry_after_ms: 1500,
    });
  });
});

describe('llm@1.0 schemas', () => {
  const ajv = new Ajv({ strict: true });
  const chat = ajv.compile(LLM_CHAT_REQUEST_SCHEMA);
  const complete = ajv.compile(LLM_COMPLETE_REQUEST_SCHEMA);
  const token = ajv.compile(LLM_TOKEN_FRAME_SCHEMA);
  const done = ajv.compile(LLM_DONE_FRAME_SCHEMA);
  const response = ajv.compile(LLM_RESPONSE_SCHEMA);

  it('accepts the documented examples', () => {
    expect(
      chat({
        model: 'qwen2.5-7b-instruct',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        max_tokens: 256,
        temperature: 0.7,
        top_p: 0.95,
        stop: ['\n\n'],
        seed: 42,
        stream: true,
      }),
    ).toBe(true);
    expect(complete({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 64 })).toBe(true);
    expect(token({ event: 'token', data: { text: ' there' } })).toBe(true);
    expect(token({ event: 'token', data: { text: 'x', logprob: -0.3 } })).toBe(true);
    expect(done({ event: 'done', data: { tokens_in: 12, tokens_out: 64, stop_reason: 'length', ms: 410 } })).toBe(true);
    expect(response({ text: 'Hello', tokens_in: 3, tokens_out: 1, stop_reason: 'stop', ms: 20 })).toBe(true);
  });

  it.each([
    ['no messages', { model: 'm', messages: [] }],
    ['bad role', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }],
    ['camelCase typo', { model: 'm', messages: [{ role: 'user', content: 'x' }], maxTokens: 5 }],
    ['temperature too high', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 2.5 }],
    ['top_p zero', { model: 'm', messages: [{ role: 'user', content: 'x' }], top_p: 0 }],
    ['too many stops', { model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b', 'c', 'd', 'e'] }],
    ['fractional seed', { model: 'm', messages: [{ role: 'user', content: 'x' }], seed: 1.5 }],
    ['zero max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }],
  ])('rejects a chat request with %s', (_label, req) => {
    expect(chat(req)).toBe(false);
  });

  it('rejects bad completion requests and frames', () => {
    expect(complete({ model: 'm', prompt: '' })).toBe(false);
    expect(complete({ model: 'm' })).toBe(false);
    expect(done({ event: 'done', data: { tokens_in: 1, tokens_out: 1, stop_reason: 'eos', ms: 1 } })).toBe(false);
    expect(token({ event: 'token', data: {} })).toBe(false);
  });
});
