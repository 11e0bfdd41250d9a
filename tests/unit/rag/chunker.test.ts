import { describe, expect, it } from 'vitest';
import { RAG_CHUNK_TOKENS, RAG_CHUNK_OVERLAP_TOKENS } from '../../../src-main/common';
import {
  approxTokenCount,
  chunkDocument,
  chunkMarkdown,
  chunkText,
  htmlToText,
} from '../../../src-main/runtime/services/rag';
import { makePdf } from '../../fixtures/rag/pdf';

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const sentence = (i: number) => `Sentence number ${i} talks about the bins and the clinic.`;

describe('chunkText', () => {
  it('uses the reference defaults and keeps a short text whole', () => {
    const [c, ...rest] = chunkText('Bins go out on Monday. Glass on Friday.', { metadata: { title: 'Bins' } });
    expect(rest).toHaveLength(0);
    expect(c.text).toBe('Bins go out on Monday. Glass on Friday.');
    expect(c.metadata).toEqual({
      title: 'Bins',
      chunk_index: 0,
      char_start: 0,
      char_end: 39,
      token_count: approxTokenCount(c.text),
    });
    expect(RAG_CHUNK_TOKENS).toBe(1000);
    expect(RAG_CHUNK_OVERLAP_TOKENS).toBe(200);
    expect(chunkText('   \n\n  ')).toEqual([]);
  });

  it('never cuts a sentence, respects the budget and overlaps by whole sentences', () => {
    const text = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const count = (s: string) => words(s);
    const chunks = chunkText(text, { tokensPerChunk: 50, overlapTokens: 12, countTokens: count });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(count(c.text)).toBeLessThanOrEqual(50);
      expect(c.text).toMatch(/^Sentence number \d+ .*clinic\.$/); // starts and ends on sentence boundaries
      expect(text.slice(c.metadata.char_start, c.metadata.char_end)).toBe(c.text);
    }
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1].metadata;
      const cur = chunks[i].metadata;
      expect(cur.char_start).toBeGreaterThan(prev.char_start!);
      expect(cur.char_start).toBeLessThan(prev.char_end!); // overlap exists
      expect(count(text.slice(cur.char_start, prev.char_end))).toBeLessThanOrEqual(12);
    }
    expect(chunks.at(-1)!.text.endsWith(sentence(59))).toBe(true);
    expect(chunks.map((c) => c.metadata.chunk_index)).toEqual(chunks.map((_, i) => i));
  });

  it('splits a single over-long sentence at word boundaries only, still covering all words', () => {
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkText(long, { tokensPerChunk: 100, overlapTokens: 20, countTokens: words });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(words(c.text)).toBeLessThanOrEqual(100);
    const seen = new Set(chunks.flatMap((c) => c.text.split(' ')));
    expect(seen.size).toBe(300);
  });

  it('does not split after abbreviations like "Dr." and rejects bad budgets', () => {
    const chunks = chunkText('Ask Dr. Jones. Then St. Mary clinic.', {
      tokensPerChunk: 4,
      overlapTokens: 0,
      countTokens: words,
    });
    expect(chunks.map((c) => c.text)).toEqual(['Ask Dr. Jones.', 'Then St. Mary clinic.']);
    expect(() => chunkText('x', { tokensPerChunk: 0 })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => chunkText('x', { tokensPerChunk: 10, overlapTokens: 10 })).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });
});

describe('format chunkers', () => {
  it('Markdown: one section per heading, heading path in `section`, fenced # lines ignored', () => {
    const md = '# Water\nIntro.\n## Shutoff\nTurn the red valve.\n```\n# not a heading\n```\n# Bins\nMonday.';
    const chunks = chunkMarkdown(md, { docMetadata: { title: 'Guide' } });
    expect(chunks.map((c) => c.metadata.section)).toEqual(['Water', 'Water > Shutoff', 'Bins']);
    expect(chunks[1].text).toContain('# not a heading');
    for (const c of chunks) expect(md.slice(c.metadata.char_start, c.metadata.char_end)).toBe(c.text);
    expect(chunks[2].metadata).toMatchObject({ title: 'Guide', chunk_index: 2 });
  });

  it('HTML: scripts and styles gone, headings kept, entities decoded, <title> used', () => {
    const html =
      '<html><head><title>Bins &amp; Glass</title><style>p{color:red}</style></head><body><h1>Bins</h1><p>Blue bin &lt;Monday&gt;.</p><script>steal()</script><h2>Glass</h2><p>Fridays&nbsp;only.</p></body></html>';
    expect(htmlToText(html).text).toBe('# Bins\n\nBlue bin <Monday>.\n\n## Glass\n\nFridays only.');
    const chunks = chunkDocument(new TextEncoder().encode(html), 'text/html; charset=utf-8');
    return chunks.then((cs) => {
      expect(cs.map((c) => c.metadata.section)).toEqual(['Bins', 'Bins > Glass']);
      expect(cs[0].metadata.title).toBe('Bins & Glass');
      expect(cs.some((c) => /steal|color/.test(c.text))).toBe(false);
    });
  });

  it('PDF (generated, 3 pages): one or more chunks per page, `page` is 1-based, pages never mixed', async () => {
    const pdf = makePdf([
      ['Water shutoff procedure.', 'Turn the red valve clockwise (fully).'],
      ['Clinic hours: 9 to 5 on weekdays.'],
      ['Generator rota is on the hall board.'],
    ]);
    const chunks = await chunkDocument(pdf, 'guide.pdf', { docMetadata: { title: 'Guide' } });
    expect(chunks.map((c) => c.metadata.page)).toEqual([1, 2, 3]);
    expect(chunks[0].text).toContain('Turn the red valve clockwise (fully).');
    expect(chunks[1].text).toBe('Clinic hours: 9 to 5 on weekdays.');
    expect(chunks.map((c) => c.metadata.chunk_index)).toEqual([0, 1, 2]);
    expect(chunks[2].metadata.title).toBe('Guide');
  });

  it('rejects unsupported types, invalid UTF-8 and damaged PDFs with exact codes', async () => {
    await expect(chunkDocument(new Uint8Array([1, 2]), 'image/png')).rejects.toMatchObject({
      code: 'unsupported_type',
      wireCode: 'bad_request',
    });
    await expect(chunkDocument(new Uint8Array([0xff, 0xfe, 0xfd]), 'notes.txt')).rejects.toMatchObject({
      code: 'unreadable_document',
    });
    await expect(chunkDocument(new TextEncoder().encode('%PDF-1.4 garbage'), 'application/pdf')).rejects.toMatchObject({
      code: 'unreadable_document',
    });
    const txt = await chunkDocument(new TextEncoder().encode('Plain text here.'), 'notes.txt', {
      docMetadata: { lang: 'en' },
    });
    expect(txt).toEqual([
      {
        text: 'Plain text here.',
        metadata: { lang: 'en', chunk_index: 0, char_start: 0, char_end: 16, token_count: 4 },
      },
    ]);
  });
});
