/**
 * Issue 15 item 10: one table of exit codes. docs/cli.md's table is checked against EXIT and
 * EXIT_MEANINGS in the code, and the reproductions of the issue end with the documented code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_MEANINGS } from '../../../src-main/runtime/cli/exit-codes';
import { hn, mapLimit } from '../cli/helpers';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** The rows of the "## Exit codes" table in docs/cli.md as [code, meaning]. */
function documentedTable(): Array<[number, string]> {
  const doc = readFileSync(join(process.cwd(), 'docs', 'cli.md'), 'utf8');
  const section = doc.split('## Exit codes')[1].split('\n## ')[0];
  return [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2].trim()]);
}

/** Every exit code a command row of docs/cli.md lists ("0, 1 (why), 3" in its last cell), by command. */
function documentedCodes(): Map<string, number[]> {
  const doc = readFileSync(join(process.cwd(), 'docs', 'cli.md'), 'utf8');
  const out = new Map<string, number[]>();
  for (const line of doc.split('\n')) {
    const name = /^\| `([a-z-]+(?: [a-z-]+)?)/.exec(line)?.[1];
    if (!name) continue;
    const cells = line.split(' | ');
    const last = cells[cells.length - 1].replace(/\|$/, '').replace(/\([^)]*\)/g, '');
    const codes = last.split(',').map((c) => c.trim());
    if (codes.every((c) => /^\d$/.test(c))) out.set(name, codes.map(Number));
  }
  return out;
}

describe('exit code table', () => {
  it('docs/cli.md lists exactly the codes of EXIT, with the meanings the code gives them', () => {
    const rows = documentedTable();
    expect(rows.map(([c]) => c)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    for (const [code, meaning] of rows)
      expect(meaning, `exit ${code}`).toBe(EXIT_MEANINGS[code as keyof typeof EXIT_MEANINGS]);
  });
});

describe('the reproductions end with the documented code', () => {
  it('bad values are usage errors (exit 2) that name the real bounds, before anything reaches a node', async () => {
    const h = mkdtempSync(join(tmpdir(), 'hn-exit-'));
    homes.push(h);
    writeFileSync(join(h, 'config.toml'), '[discovery]\nmdns_enabled = false\nudp_enabled = false\n');
    const cases: Array<[string[], RegExp]> = [
      [
        ['market', 'post', '--category', 'offer', '--title', 'Ladder', '--ttl', '59'],
        /--ttl must be a whole number from 60 up, got "59"/,
      ],
      [['market', 'list', '--limit', '501'], /--limit must be a whole number from 1 to 500/],
      [['market', 'search', 'x', '--limit', '10001'], /--limit must be a whole number from 1 to 500/],
      [['files', 'get', 'blake3:zzzz'], /not a file id.*blake3:/],
      [['models', 'get', 'sha256:00'], /not a file id.*blake3:/],
      [['chat', 'history', '--limit', '5000'], /--limit must be a whole number from 1 to 1000/],
    ];
    const results = await mapLimit(cases, 2, ([args]) => hn(h, args, { timeoutMs: 90_000 }));
    results.forEach((r, i) => {
      expect(r.code, `${cases[i][0].join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
    const codes = documentedCodes();
    for (const cmd of ['market post', 'market list', 'market search', 'files get', 'models get', 'chat history'])
      expect(codes.get(cmd), cmd).toContain(2);
  }, 300_000);

  it('each documented command row lists only codes of the table', () => {
    const known = new Set<number>(Object.values(EXIT));
    const codes = documentedCodes();
    expect(codes.size).toBeGreaterThan(20);
    for (const [cmd, list] of codes) for (const c of list) expect(known.has(c), `${cmd}: ${c}`).toBe(true);
    expect(codes.get('invite redeem')).toContain(EXIT.auth); // an invite made for another device
    expect(codes.get('files add')).toContain(EXIT.capacity); // this node's disk is full
  });
});
