/** cli/progress: a redrawn bar on a terminal, plain percentage lines (every 10 %) otherwise. */
import { describe, expect, it } from 'vitest';
import { formatBytes, ProgressBar } from '../../../src-main/runtime/cli/progress';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, columns: 100, write: (s: string) => chunks.push(s) }, chunks };
}

describe('ProgressBar', () => {
  it('prints one plain line per 10 % step when not on a terminal, and a new line per stage', () => {
    const s = sink(false);
    const bar = new ProgressBar({ label: 'Downloading', out: s.out, bytes: true });
    for (let i = 0; i <= 100; i++) bar.update(i * 1024, 100 * 1024);
    bar.update(1, 2, 'Indexing');
    bar.finish();
    expect(s.chunks).toHaveLength(12);
    expect(s.chunks[0]).toBe('Downloading: 0% (0 B / 100.0 KB)\n');
    expect(s.chunks[10]).toBe('Downloading: 100% (100.0 KB / 100.0 KB)\n');
    expect(s.chunks[11]).toBe('Indexing: 50% (1 B / 2 B)\n');
  });

  it('redraws one line in place on a terminal and ends it on finish', () => {
    const s = sink(true);
    const bar = new ProgressBar({ label: 'Pulling', out: s.out });
    bar.update(1, 4);
    bar.update(4, 4); // the last update always draws
    bar.finish();
    bar.finish();
    expect(s.chunks[0]).toMatch(/^\r\x1b\[2KPulling {2}\[#{7}-{21}\] {2}25% {2}1 \/ 4$/);
    expect(s.chunks[1]).toContain('100%');
    expect(s.chunks.slice(2)).toEqual(['\n']);
  });

  it('stays silent when asked and formats sizes', () => {
    const s = sink(true);
    new ProgressBar({ label: 'x', out: s.out, silent: true }).update(1, 2);
    expect(s.chunks).toEqual([]);
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['512 B', '1.5 KB', '5.0 GB']);
  });
});
