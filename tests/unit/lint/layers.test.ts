import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const LAYER_RULE = '@typescript-eslint/no-restricted-imports';
// Type-checked linting only parses files the TypeScript project knows, so each snippet is linted as if it
// were the text of a real file of that layer (the import strings need not resolve: the rule reads them).
const RUNTIME = 'src-main/runtime/version.ts';
const COMMON = 'src-main/common/types.ts';
const RENDERER = 'src-renderer/src/trpc.ts';
const SHELL = 'src-main/electron/main.ts';

// The first type-checked lint builds the whole TypeScript program (~30 s on a loaded machine).
beforeAll(async () => {
  await eslint.lintText('export {};\n', { filePath: RUNTIME });
}, 180_000);

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  // Only the layer rule: these snippets import names they never use, which other rules rightly flag.
  return result.messages
    .filter((m) => m.severity === 2 && (m.ruleId === LAYER_RULE || m.fatal === true))
    .map((m) => m.message);
}

describe('layer rule (ARCHITECTURE §1)', () => {
  it('forbids electron and the shell in runtime', async () => {
    expect(await errorsFor(RUNTIME, "import { app } from 'electron';\n")).not.toHaveLength(0);
    expect(await errorsFor(RUNTIME, "import { x } from '../electron/main';\n")).not.toHaveLength(0);
    expect(await errorsFor(RUNTIME, "import { x } from '../../src-renderer/app';\n")).not.toHaveLength(0);
    expect(await errorsFor(RUNTIME, "import { x } from '../common';\nimport { y } from 'node:fs';\n")).toHaveLength(0);
  });

  it('keeps common pure', async () => {
    expect(await errorsFor(COMMON, "import { readFileSync } from 'node:fs';\n")).not.toHaveLength(0);
    expect(await errorsFor(COMMON, "import { x } from '../runtime/node';\n")).not.toHaveLength(0);
    expect(await errorsFor(COMMON, "import { x } from './types';\n")).toHaveLength(0);
  });

  it('lets the renderer import runtime/api types only', async () => {
    expect(await errorsFor(RENDERER, "import type { AppRouter } from '../src-main/runtime/api';\n")).toHaveLength(0);
    expect(await errorsFor(RENDERER, "import { appRouter } from '../src-main/runtime/api';\n")).not.toHaveLength(0);
    expect(await errorsFor(RENDERER, "import { startNode } from '../src-main/runtime/node';\n")).not.toHaveLength(0);
    expect(await errorsFor(RENDERER, "import { ipcRenderer } from 'electron';\n")).not.toHaveLength(0);
    expect(await errorsFor(RENDERER, "import { x } from '../src-main/common';\n")).toHaveLength(0);
  });

  it('lets the electron shell import runtime and electron', async () => {
    expect(
      await errorsFor(SHELL, "import { app } from 'electron';\nimport { x } from '../runtime/node';\n"),
    ).toHaveLength(0);
  });
});

describe('type-checked rules (docs/decisions/lint.md)', () => {
  const PRODUCT = 'src-main/runtime/backup/index.ts';
  const floating = 'export async function later(): Promise<void> {}\nexport function now(): void {\n  later();\n}\n';

  async function ruleErrors(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
  }

  it('rejects a floating promise in product code and in tests, benches and tools', async () => {
    expect(await ruleErrors(PRODUCT, floating)).toContain('@typescript-eslint/no-floating-promises');
    expect(await ruleErrors('tools/build-cli.ts', floating)).toContain('@typescript-eslint/no-floating-promises');
  });

  it('rejects a switch that misses a member of a union', async () => {
    const code =
      "export function f(k: 'a' | 'b'): number {\n  switch (k) {\n    case 'a':\n      return 1;\n  }\n  return 0;\n}\n";
    expect(await ruleErrors(PRODUCT, code)).toContain('@typescript-eslint/switch-exhaustiveness-check');
  });
});
