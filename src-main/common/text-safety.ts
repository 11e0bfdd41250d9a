/**
 * Text from another household, made safe to show. Pure (no node:*), so the renderer may use it too.
 *
 * Two kinds of characters let one household's text act on another household's screen:
 * - control characters (C0 except newline and tab, DEL, C1): ESC sequences clear the screen, set
 *   the window title, move the cursor and erase lines to fake content on a terminal;
 * - bidirectional formatting characters (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C):
 *   they reorder what follows, so "txt.exe" can be shown as "exe.txt" ("Trojan Source").
 * Line and paragraph separators (U+2028/U+2029) are counted with them: they break lines where a
 * newline would not be allowed.
 *
 * Input schemas refuse these (`unsafeCharIn`); everything that prints another household's text
 * passes it through `neutralise` first, because older or foreign nodes may still send them.
 */

/** Newline and tab: allowed in multi-line text (post bodies, chat messages). */
const MULTILINE_OK = new Set([0x0a, 0x09]);

/** True for a code point that must never reach a terminal or a page as is. */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x2028 ||
    cp === 0x2029
  );
}

// The same set as a regex, for fast scans and replacement (keep in step with isUnsafeCodePoint).
const UNSAFE_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

export interface TextSafetyOptions {
  /** Allow newline and tab (bodies and messages); default false (titles, names, tags). */
  readonly multiline?: boolean;
}

/** The first character of `text` an input schema must refuse, as "U+001B", or null when there is none. */
export function unsafeCharIn(text: string, opts: TextSafetyOptions = {}): string | null {
  for (const m of text.matchAll(UNSAFE_RE)) {
    const cp = m[0].codePointAt(0) ?? 0; // a match is one code point, never empty
    if (opts.multiline && MULTILINE_OK.has(cp)) continue;
    return codePointName(cp);
  }
  return null;
}

/** "U+001B" */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `text` with every unsafe character replaced by a visible, inert stand-in: C0 controls by their
 * Unicode control picture (ESC -> "␛"), DEL by "␡", everything else by "<U+202E>". Newline and
 * tab survive only with `multiline`. Idempotent; safe text comes back unchanged (same string).
 */
export function neutralise(text: string, opts: TextSafetyOptions = {}): string {
  return text.replace(UNSAFE_RE, (ch) => {
    const cp = ch.codePointAt(0) ?? 0; // a match is one code point, never empty
    if (opts.multiline && MULTILINE_OK.has(cp)) return ch;
    if (cp <= 0x1f) return String.fromCodePoint(0x2400 + cp);
    if (cp === 0x7f) return '\u2421';
    return `<${codePointName(cp)}>`;
  });
}

// Inside a JSON string these can be written as \uXXXX escapes with the same meaning. JSON.stringify
// already escapes C0; C1, bidi and separators it leaves raw.
const JSON_RAW_RE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * JSON text (from JSON.stringify) with the unsafe characters JSON.stringify leaves raw written as
 * \uXXXX escapes: the same JSON value, but inert on a terminal. They can only occur inside strings,
 * where the escape is valid.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(JSON_RAW_RE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
