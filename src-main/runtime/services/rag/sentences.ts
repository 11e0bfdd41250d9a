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

/**
 * Sentence boundaries come from the platform (`Intl.Segmenter`, Unicode UAX #29: CJK full stops,
 * closing quotes, "e.g. lowercase" continuations). ICU's own abbreviation suppression is not
 * reachable from Intl, so two of its breaks are undone here: after an abbreviation ("Dr. Jones")
 * and after a single line break with no sentence-ending punctuation (a wrapped line in a PDF or a
 * text file). A blank line always ends a sentence.
 */
const SEGMENTER = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Sentence-ending punctuation, then any closing quotes/brackets, at the end of a segment's text. */
const TERMINAL = /[.!?…。！？‼⁇⁈⁉]+["'”’»)\]]*$/u;
const BLANK_LINE = /\n[ \t]*\n\s*$/;

function isAbbreviation(text: string, dotIndex: number): boolean {
  let i = dotIndex;
  while (i > 0 && /[\p{L}.]/u.test(text[i - 1])) i--;
  const word = text.slice(i, dotIndex).toLowerCase();
  return ABBREV.has(word) || /^\p{L}$/u.test(word); // "J. Smith"
}

/** True when the text `text[from, to)` (one or more segments) really ends a sentence (see SEGMENTER). */
function endsSentence(text: string, from: number, to: number): boolean {
  const seg = text.slice(from, to);
  if (BLANK_LINE.test(seg)) return true;
  const body = seg.trimEnd();
  const m = TERMINAL.exec(body);
  if (!m) return false;
  const punct = from + m.index;
  return !(text[punct] === '.' && /^\.["'”’»)\]]*$/u.test(m[0]) && isAbbreviation(text, punct));
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
  for (const seg of SEGMENTER.segment(text)) {
    const end = seg.index + seg.segment.length;
    if (end < text.length && !endsSentence(text, start, end)) continue; // from `start`: a blank line spans two segments
    push(end);
    start = end;
  }
  push(text.length);
  return spans;
}

/** Splits one over-long span at whitespace into pieces of at most `maxTokens` (a word longer than that stays whole). */
export function splitByWords(text: string, span: Span, maxTokens: number, count: (s: string) => number): Span[] {
  const out: Span[] = [];
  const words = [...text.slice(span.start, span.end).matchAll(/\S+/g)].map((m) => ({
    start: span.start + m.index,
    end: span.start + m.index + m[0].length,
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
