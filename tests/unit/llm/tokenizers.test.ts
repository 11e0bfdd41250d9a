/** modelFamily and countTokensApprox. */
import { describe, expect, it } from 'vitest';
import { CHARS_PER_TOKEN, countTokensApprox, modelFamily } from '../../../src-main/runtime/services/llm';

describe('modelFamily', () => {
  it.each([
    ['qwen2.5-7b-instruct', 'qwen'],
    ['Qwen/Qwen2.5-7B-Instruct', 'qwen'],
    ['nemotron-70b', 'nemotron'],
    ['nvidia/llama-3.1-nemotron-70b-instruct', 'nemotron'],
    ['MiniCPM4-8B', 'minicpm'],
    ['openbmb/MiniCPM-V-2_6', 'minicpm'],
    ['llama3.2:1b', 'llama'],
    ['meta-llama/Llama-3.1-8B-Instruct', 'llama'],
    ['stories260K', 'llama'],
    ['mistral-7b-instruct-v0.3', 'mistral'],
    ['mixtral-8x7b', 'mistral'],
    ['gemma-2-9b-it', 'gemma'],
    ['phi-3-mini-4k', 'phi'],
    ['Phi-4', 'phi'],
    ['claude-sonnet-4-6', 'claude'],
    ['gpt-4o-mini', 'gpt'],
    ['o3-mini', 'gpt'],
    ['granite-3.1-8b', 'unknown'],
    ['', 'unknown'],
  ])('%s -> %s', (name, fam) => {
    expect(modelFamily(name)).toBe(fam);
  });
});

describe('countTokensApprox', () => {
  it('is 0 for empty text and at least 1 otherwise', () => {
    expect(countTokensApprox('qwen', '')).toBe(0);
    expect(countTokensApprox('qwen', 'a')).toBe(1);
  });

  it('divides characters by the family ratio, rounding up', () => {
    const text = 'x'.repeat(400);
    expect(countTokensApprox('qwen', text)).toBe(100);
    expect(countTokensApprox('mistral', text)).toBe(Math.ceil(400 / CHARS_PER_TOKEN.mistral));
    expect(countTokensApprox('unknown', text)).toBe(Math.ceil(400 / 3.5));
  });

  it('accepts a model name in place of a family', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    expect(countTokensApprox('claude-sonnet-4-6', text)).toBe(countTokensApprox('claude', text));
  });

  it('counts non-Latin text as denser (about 2 characters per token)', () => {
    expect(countTokensApprox('qwen', '你好世界你好世界')).toBe(4);
    expect(countTokensApprox('qwen', '你好世界你好世界')).toBeGreaterThan(countTokensApprox('qwen', 'abcdefgh'));
  });
});
