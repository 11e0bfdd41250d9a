import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src-main/runtime/services/rag/sentences';

const split = (t: string) => splitSentences(t).map((s) => t.slice(s.start, s.end));

describe('splitSentences (Intl.Segmenter with abbreviation and wrapped-line suppression)', () => {
  it('ends sentences at terminal punctuation, CJK full stops and closing quotes', () => {
    expect(split('这是中文。第二句。 He said "hi." Then he left! Why?')).toEqual([
      '这是中文。',
      '第二句。',
      'He said "hi."',
      'Then he left!',
      'Why?',
    ]);
  });

  it('does not end one after an abbreviation, an initial or a decimal point', () => {
    expect(split('Ask Dr. Jones. J. Smith paid 3.50 today. Ok')).toEqual([
      'Ask Dr. Jones.',
      'J. Smith paid 3.50 today.',
      'Ok',
    ]);
  });

  it('a wrapped line continues its sentence; a blank line ends one', () => {
    expect(split('A heading\n\nThe text wraps\nonto a second line. Next one\n')).toEqual([
      'A heading',
      'The text wraps\nonto a second line.',
      'Next one',
    ]);
    expect(split(' \n\t ')).toEqual([]);
  });
});
