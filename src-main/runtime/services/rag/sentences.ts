/** Sentence segmentation with character offsets: the units the chunker never cuts. */

export interface Span {
  start: number;
  end: number;
}

/** Abbreviations whose trailing period does not end a sentence. */
const ABBREV = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'st',
  'no',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'approx',
  'ave',
  'rd',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
]);

/** Sentence end: terminal punctuation (+ closing quotes/brackets) then whitespace, or a blank line. */
const BOUNDARY = /([.!?…]+["'”’)\]]*)(\s+)|(\n[ \t]*\n\s*)/g;

function isAbbreviation(text: string, dotIndex: number): boolean {
  let i = dotIndex;
  while (i > 0 && /[\p{L}.]/u.test(text[i - 1])) i--;
  const word = text.slice(i, dotIndex).toLowerCase();
  return ABBREV.has(word) || /^\p{L}$/u.test(word); // "J. Smith"
}

/** Splits `text` into trimmed sentence spans (offsets into `text`); whitespace-only text gives []. */
export function splitSentences(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
    if (e > s) spans.push({ start: s, end: e });
  };
  for (const m of text.matchAll(BOUNDARY)) {
    const idx = m.index ?? 0;
    if (m[1] !== undefined) {
      if (m[1][0] === '.' && m[1].length === 1 && isAbbreviation(text, idx)) continue;
      push(idx + m[1].length);
    } else {
      push(idx);
    }
    start = idx + m[0].length;
  }
  push(text.length);
  return spans;
}

/** Splits one over-long span at whitespace into pieces of at most `maxTokens` (a word longer than that stays whole). */
export function splitByWords(text: string, span: Span, maxTokens: number, count: (s: string) => number): Span[] {
  const out: Span[] = [];
  const words = [...text.slice(span.start, span.end).matchAll(/\S+/g)].map((m) => ({
    start: span.start + (m.index ?? 0),
    end: span.start + (m.index ?? 0) + m[0].length,
  }));
  let cur: Span | null = null;
  let curTokens = 0;
  for (const w of words) {
    const t = count(text.slice(w.start, w.end));
    if (cur && curTokens + t > maxTokens) {
      out.push(cur);
      cur = null;
    }
    if (!cur) {
      cur = { start: w.start, end: w.end };
      curTokens = t;
    } else {
      cur.end = w.end;
      curTokens += t;
    }
  }
  if (cur) out.push(cur);
  return out;
}
