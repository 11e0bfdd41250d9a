import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes, CanonicalJsonError } from '../../../src-main/common';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: [3, 2, { d: null, c: true }] } }, '{"z":{"y":[3,2,{"c":true,"d":null}]}}'],
    [[1.5, 0.1, 1e21, 1e-7, -0, 100, 2 ** 53], '[1.5,0.1,1e+21,1e-7,0,100,9007199254740992]'],
    ['é ☃ "q" \\ \n', '"é ☃ \\"q\\" \\\\ \\n"'],
    [{}, '{}'],
    [[], '[]'],
  ])('encodes %j canonically', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('sorts keys by code point, not UTF-16 unit', () => {
    // U+FF5E (BMP, high) must sort before U+1F600 (astral, surrogate pair starting 0xD83D).
    expect(canonicalJson({ '\u{1F600}': 1, '\uFF5E': 2, a: 3 })).toBe('{"a":3,"\uFF5E":2,"\u{1F600}":1}');
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: { q: 1, p: 2 } })).toBe(canonicalJson({ y: { p: 2, q: 1 }, x: 1 }));
  });

  it('emits UTF-8 bytes', () => {
    expect(Array.from(canonicalJsonBytes({ k: 'é' }))).toEqual([...Buffer.from('{"k":"é"}', 'utf8')]);
  });

  it.each([
    [{ a: NaN }, /non-finite/],
    [{ a: Infinity }, /non-finite/],
    [{ a: undefined }, /undefined/],
    [[undefined], /undefined/],
    [{ f: () => 1 }, /unsupported function/],
    [{ n: 10n }, /unsupported bigint/],
    [{ d: new Date(0) }, /unsupported Date/],
  ])('rejects %o', (value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it('rejects cycles but allows shared (acyclic) references', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(/cycle/);
    const shared = { v: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"v":1},"y":{"v":1}}');
  });
});
