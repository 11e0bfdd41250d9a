/** Markdown chunking: one run of chunkText per heading section, heading path kept in metadata `section`. */
import { renumber, type Chunk } from './chunk';
import { chunkText, type ChunkDocumentOptions } from './chunker';

interface Section {
  start: number;
  end: number;
  path: string[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** Sections split at ATX headings (`#`..`######`) outside fenced code; setext headings are body text. */
export function markdownSections(md: string): Section[] {
  const sections: Section[] = [];
  const stack: string[] = [];
  let cur: Section = { start: 0, end: md.length, path: [] };
  let inFence = false;
  let pos = 0;
  for (const line of md.split('\n')) {
    if (FENCE.test(line)) inFence = !inFence;
    const m = inFence ? null : HEADING.exec(line);
    if (m) {
      cur.end = pos;
      sections.push(cur);
      const level = m[1].length;
      stack.length = Math.min(stack.length, level - 1);
      while (stack.length < level - 1) stack.push('');
      stack.push(m[2].trim());
      cur = { start: pos, end: md.length, path: stack.filter(Boolean) };
    }
    pos += line.length + 1;
  }
  cur.end = md.length;
  sections.push(cur);
  return sections.filter((s) => md.slice(s.start, s.end).trim().length > 0);
}

/**
 * Chunks Markdown section by section (a chunk never spans two sections); each chunk's metadata
 * gets `section` = the heading path joined with " > " (absent before the first heading). The
 * heading line itself stays in the section's first chunk, so it is searchable. Offsets refer to
 * the Markdown source.
 */
export function chunkMarkdown(md: string, opts: ChunkDocumentOptions = {}): Chunk[] {
  const out: Chunk[] = [];
  for (const s of markdownSections(md)) {
    const metadata = s.path.length ? { ...opts.docMetadata, section: s.path.join(' > ') } : { ...opts.docMetadata };
    out.push(...chunkText(md.slice(s.start, s.end), { ...opts, metadata, baseOffset: s.start }));
  }
  return renumber(out);
}
