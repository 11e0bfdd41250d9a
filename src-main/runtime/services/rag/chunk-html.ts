/** HTML chunking: strip scripts, styles and tags, keep headings (as Markdown), then chunk as Markdown. */
import type { Chunk } from './chunk';
import type { ChunkDocumentOptions } from './chunker';
import { chunkMarkdown } from './chunk-markdown';

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  copy: '©',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

/** Plain text of an HTML document: headings become `#` lines, blocks become paragraphs; `title` from <title>. */
export function htmlToText(html: string): { text: string; title: string | null } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  let s = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template|head|svg)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  s = s.replace(
    /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi,
    (_all, lvl: string, inner: string) =>
      `\n\n${'#'.repeat(Number(lvl))} ${inner
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()}\n\n`,
  );
  s = s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(
      /<\/?(p|div|section|article|li|ul|ol|table|tr|blockquote|pre|header|footer|main|nav|aside|dt|dd)\b[^>]*>/gi,
      '\n\n',
    );
  s = decodeEntities(s.replace(/<[^>]*>/g, ' '));
  s = s
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text: s, title: title ? decodeEntities(title).replace(/\s+/g, ' ').trim() : null };
}

/** Chunks HTML via its extracted text; offsets refer to that text. <title> fills `title` unless docMetadata has one. */
export function chunkHtml(html: string, opts: ChunkDocumentOptions = {}): Chunk[] {
  const { text, title } = htmlToText(html);
  const docMetadata =
    title && opts.docMetadata?.title === undefined ? { ...opts.docMetadata, title } : opts.docMetadata;
  return chunkMarkdown(text, { ...opts, docMetadata });
}
