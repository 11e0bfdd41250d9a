/** Every command's --help has examples, and every example names options that command really has. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src-main/runtime/cli/main';
import { commandPath, HELP_EXAMPLES } from '../../../src-main/runtime/cli/help-examples';

function allCommands(root: Command): Command[] {
  const out: Command[] = [root];
  for (const c of root.commands) out.push(...allCommands(c));
  return out;
}

/** Shell-like split: quoted strings stay one token. */
function tokens(line: string): string[] {
  return [...line.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0]);
}

function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('hearthnet --help examples', () => {
  const program = buildProgram();
  const commands = allCommands(program);

  it('every command (and the root) shows an Examples section', () => {
    for (const cmd of commands)
      expect(helpOf(cmd), commandPath(cmd) || '(root)').toMatch(/\nExamples:\n {2}\$ hearthnet/);
  });

  it('the commands of reference §17 have curated examples (others fall back to their usage line)', () => {
    const section17 = [
      '',
      'init',
      'run',
      'status',
      'caps',
      'call',
      'log',
      'trace',
      'doctor',
      'export',
      'erase',
      'rag list',
      'rag ingest',
      'rag reindex',
      'invite create',
      'invite redeem',
      'version',
    ];
    for (const p of section17) expect(HELP_EXAMPLES[p], p || '(root)').toBeDefined();
    const uncurated = commands.map(commandPath).filter((p) => HELP_EXAMPLES[p] === undefined);
    if (uncurated.length > 0)
      console.log(`commands whose examples come from their usage line: ${uncurated.join(', ')}`);
  });

  it('each example uses the command it illustrates, with options that command accepts', () => {
    for (const [path, examples] of Object.entries(HELP_EXAMPLES)) {
      const cmd = commands.find((c) => commandPath(c) === path);
      if (!cmd) continue;
      for (const example of examples) {
        const words = tokens(example.replace(/^HEARTHNET_HOME=\S+ /, ''));
        expect(words[0]).toBe('hearthnet');
        // Find the command the example runs (the longest path prefix), then check its options.
        let target: Command = program;
        let i = 1;
        while (i < words.length) {
          const sub = target.commands.find((c) => c.name() === words[i]);
          if (!sub) break;
          target = sub;
          i++;
        }
        if (path !== '') expect(commandPath(target).startsWith(path.split(' ')[0]), example).toBe(true);
        const known = new Set(
          [
            ...target.options.flatMap((o) => [o.long, o.short]),
            ...program.options.flatMap((o) => [o.long, o.short]),
          ].filter(Boolean),
        );
        for (const w of words.slice(i))
          if (/^--?[a-z]/.test(w))
            expect(known.has(w), `${example}: ${w} is not an option of "${commandPath(target)}"`).toBe(true);
      }
    }
  });
});
