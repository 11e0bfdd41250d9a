import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeJsonForTerminal, isUnsafeCodePoint, neutralise, unsafeCharIn } from '../../../src-main/common';

const anyText = fc.string({ unit: 'binary', maxLength: 200 });
const hasUnsafe = (s: string, multiline = false) =>
  [...s].some((c) => isUnsafeCodePoint(c.codePointAt(0)!) && !(multiline && (c === '\n' || c === '\t')));

describe('text safety', () => {
  it('names the first unsafe character; newline and tab only in multi-line text', () => {
    expect(unsafeCharIn('Ladder\x1b[2J')).toBe('U+001B');
    expect(unsafeCharIn('a\nb')).toBe('U+000A');
    expect(unsafeCharIn('a\n\tb', { multiline: true })).toBeNull();
    expect(unsafeCharIn('gnp\u202eexe', { multiline: true })).toBe('U+202E');
    expect(unsafeCharIn('Grüße, 東京 👋')).toBeNull();
    expect(unsafeCharIn('\u0085')).toBe('U+0085');
  });

  it('neutralise shows controls as inert pictures and leaves safe text as it is', () => {
    expect(neutralise('Ladder\x1b[2J\x1b]0;pwned\x07')).toBe('Ladder␛[2J␛]0;pwned␇');
    expect(neutralise('a\nb')).toBe('a␊b');
    expect(neutralise('a\nb\tc', { multiline: true })).toBe('a\nb\tc');
    expect(neutralise('x\u202ey\x7f')).toBe('x<U+202E>y␡');
    const safe = 'Grüße, 東京 👋';
    expect(neutralise(safe)).toBe(safe);
  });

  it('property: neutralised text never holds an unsafe character, is idempotent, and agrees with unsafeCharIn', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (s, multiline) => {
        const n = neutralise(s, { multiline });
        expect(hasUnsafe(n, multiline)).toBe(false);
        expect(neutralise(n, { multiline })).toBe(n);
        expect(unsafeCharIn(s, { multiline }) === null).toBe(!hasUnsafe(s, multiline));
        if (!hasUnsafe(s, multiline)) expect(n).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('property: escaped JSON parses to the same value and holds no raw unsafe character', () => {
    fc.assert(
      fc.property(fc.jsonValue(), anyText, (v, s) => {
        const value = { v, s };
        const text = escapeJsonForTerminal(JSON.stringify(value));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(hasUnsafe(text)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
