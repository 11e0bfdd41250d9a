/** LlamaCppBackend against the real stories260K GGUF: real tokens, real limits, real cancellation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  defaultLlamaThreads,
  LlamaCppBackend,
  LlmError,
  type Generation,
  type Token,
} from '../../../src-main/runtime/services/llm';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';

const skip = skipWithoutModel('LlamaCppBackend', STORIES_GGUF);
const MODEL = 'stories260K';
const PROMPT = 'Once upon a time';

async function run(gen: Generation) {
  const tokens: Token[] = [];
  const result = await collect(gen, (t) => tokens.push(t));
  return { tokens, result, joined: tokens.map((t) => t.text).join('') };
}

async function expectLlmError(p: Promise<unknown>, code: string): Promise<LlmError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LlmError);
  expect((e as LlmError).code).toBe(code);
  return e as LlmError;
}

describe.skipIf(skip)('LlamaCppBackend (stories260K)', () => {
  let be: LlamaCppBackend;
  beforeAll(async () => {
    be = new LlamaCppBackend({ modelPath: STORIES_GGUF!, maxConcurrent: 2, threads: 1, contextSize: 512 });
    await be.warm(MODEL);
  });
  afterAll(async () => {
    await be?.close();
  });

  it('declares its model from the GGUF file', () => {
    expect(be.models).toEqual([
      { name: MODEL, quant: 'F32', ctx_max: 512, modalities: ['text'], requires_internet: false },
    ]);
    expect(be.models[0].quant).not.toBe('unknown');
    expect(be.maxConcurrent(MODEL)).toBe(2);
  });

  it('completes with real text, exact token counts and a streamed text equal to the result', async () => {
    const { tokens, result, joined } = await run(
      be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 40, temperature: 0 }),
    );
    expect(result.text.trim().length).toBeGreaterThan(10);
    expect(joined).toBe(result.text);
    expect(tokens.every((t) => t.stop === false && t.logprob === null)).toBe(true);
    expect(result.tokens_out).toBe(40);
    expect(result.stop_reason).toBe('length');
    // The prompt's own tokens plus BOS (and the space the tokenizer may prepend).
    const n = be.countTokens(MODEL, PROMPT);
    expect(result.tokens_in).toBeGreaterThan(n);
    expect(result.tokens_in).toBeLessThanOrEqual(n + 2);
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('ends every stream with one stop token before returning', async () => {
    const gen = be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 3, temperature: 0 });
    const seen: Token[] = [];
    for await (const t of gen) seen.push(t);
    expect(seen.at(-1)).toEqual({ text: '', logprob: null, stop: true });
    expect(seen.filter((t) => t.stop)).toHaveLength(1);
  });

  it('respects maxTokens', async () => {
    const { result } = await run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 5 }));
    expect(result.tokens_out).toBeLessThanOrEqual(5);
    expect(result.tokens_out).toBeGreaterThan(0);
  });

  it('is reproducible with the same seed, and differs across seeds', async () => {
    const a = await run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 30, temperature: 1, seed: 42 }));
    const b = await run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 30, temperature: 1, seed: 42 }));
    expect(b.result.text).toBe(a.result.text);
    const others = new Set<string>();
    for (const seed of [1, 2, 3])
      others.add(
        (await run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 30, temperature: 1, seed }))).result.text,
      );
    expect([...others].some((t) => t !== a.result.text)).toBe(true);
  });

  it('honours a stop sequence', async () => {
    const free = await run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 60, temperature: 0 }));
    const cut = free.result.text.indexOf('.');
    expect(cut).toBeGreaterThan(0);
    const stopped = await run(
      be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 60, temperature: 0, stop: ['.'] }),
    );
    expect(stopped.result.stop_reason).toBe('stop_sequence');
    expect(stopped.result.text).toBe(free.result.text.slice(0, cut));
    expect(stopped.joined).toBe(stopped.result.text);
  });

  it('chats through the model template (fallback wrapper for stories260K)', async () => {
    const { result, joined } = await run(
      be.chat({
        model: MODEL,
        messages: [
          { role: 'system', content: 'Tell short stories.' },
          { role: 'user', content: 'A story about a cat.' },
        ],
        maxTokens: 20,
        seed: 7,
      }),
    );
    expect(joined).toBe(result.text);
    expect(result.tokens_out).toBeGreaterThan(0);
    expect(result.tokens_in).toBeGreaterThan(be.countTokens(MODEL, 'A story about a cat.'));
  });

  it('abort mid-stream stops quickly with cancelled and frees the sequence', async () => {
    const ctl = new AbortController();
    const gen = be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 400, temperature: 0.8, signal: ctl.signal });
    let n = 0;
    const t0 = Date.now();
    const err = await expectLlmError(
      (async () => {
        for await (const t of gen) if (!t.stop && ++n === 3) ctl.abort();
      })(),
      'cancelled',
    );
    expect(err.wireCode).toBe('cancelled');
    expect(n).toBeLessThan(20);
    expect(Date.now() - t0).toBeLessThan(2000);
    // Both sequences are free again: two concurrent requests both run.
    const [a, b] = await Promise.all([
      run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 10 })),
      run(be.complete({ model: MODEL, prompt: 'The dog', maxTokens: 10 })),
    ]);
    expect(a.result.tokens_out).toBeGreaterThan(0);
    expect(b.result.tokens_out).toBeGreaterThan(0);
  });

  it('runs two requests concurrently and queues a third until a sequence frees', async () => {
    const order: string[] = [];
    const track = async (tag: string, prompt: string) => {
      let first = true;
      const r = await collect(be.complete({ model: MODEL, prompt, maxTokens: 120, temperature: 0.8, seed: 1 }), () => {
        if (first) order.push(`${tag}:first`);
        first = false;
      });
      order.push(`${tag}:done`);
      return r;
    };
    const results = await Promise.all([track('a', PROMPT), track('b', 'Tim had a dog'), track('c', 'Lily saw a bird')]);
    expect(results.every((r) => r.tokens_out > 0)).toBe(true);
    // a and b both start before either finishes; c starts only after one of them has finished.
    const i = (s: string) => order.indexOf(s);
    expect(Math.max(i('a:first'), i('b:first'))).toBeLessThan(Math.min(i('a:done'), i('b:done')));
    expect(i('c:first')).toBeGreaterThan(Math.min(i('a:done'), i('b:done')));
  });

  it('frees the sequence when the consumer stops iterating early', async () => {
    for (let k = 0; k < 3; k++) {
      for await (const t of be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 200 })) if (!t.stop) break;
    }
    const { result } = await run(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 5 }));
    expect(result.tokens_out).toBeGreaterThan(0);
  });

  it('times out with code timeout', async () => {
    await expectLlmError(
      collect(be.complete({ model: MODEL, prompt: PROMPT, maxTokens: 400, timeoutMs: 5 })),
      'timeout',
    );
  });

  it('rejects bad input with bad_request / model_not_found before any work', () => {
    const bad = (f: () => unknown, code: string) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect((e as LlmError).code).toBe(code);
      }
    };
    bad(() => be.complete({ model: MODEL, prompt: '' }), 'bad_request');
    bad(() => be.complete({ model: MODEL, prompt: 'x', maxTokens: 0 }), 'bad_request');
    bad(() => be.complete({ model: MODEL, prompt: 'x', temperature: 3 }), 'bad_request');
    bad(() => be.complete({ model: MODEL, prompt: 'x', topP: 0 }), 'bad_request');
    bad(() => be.complete({ model: MODEL, prompt: 'x', stop: ['', 'a'] }), 'bad_request');
    bad(() => be.chat({ model: MODEL, messages: [] }), 'bad_request');
    bad(() => be.chat({ model: MODEL, messages: [{ role: 'tool' as 'user', content: 'x' }] }), 'bad_request');
    bad(() => be.chat({ model: MODEL, messages: [{ role: 'assistant', content: 'x' }] }), 'bad_request');
    bad(() => be.countTokens('gpt-4o', 'x'), 'model_not_found');
  });

  it('reports model_not_found for an unknown model in a stream', async () => {
    await expectLlmError(collect(be.complete({ model: 'nope', prompt: 'x' })), 'model_not_found');
  });

  it('picks threads from the core count', () => {
    expect(defaultLlamaThreads(1)).toBe(1);
    expect(defaultLlamaThreads(2)).toBe(1);
    expect(defaultLlamaThreads(8)).toBe(4);
    expect(defaultLlamaThreads(64)).toBe(4);
  });
});

describe.skipIf(skip)('LlamaCppBackend lifecycle', () => {
  it('a missing file is model_not_found; close is idempotent and later calls fail with closed', async () => {
    const missing = new LlamaCppBackend({ modelPath: '/nonexistent/none.gguf', threads: 1 });
    await expectLlmError(missing.warm('none'), 'model_not_found');
    expect((await missing.health()).ok).toBe(false);
    await missing.close();

    const be = new LlamaCppBackend({ modelPath: STORIES_GGUF!, maxConcurrent: 1, threads: 1, contextSize: 256 });
    expect((await be.health()).ok).toBe(true);
    await be.close();
    await be.close();
    await expectLlmError(collect(be.complete({ model: MODEL, prompt: PROMPT })), 'closed');
  });
});
