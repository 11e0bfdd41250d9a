import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.severity === 2).map((m) => m.message);
}

describe('layer rule (ARCHITECTURE §1)', () => {
  it('forbids electron and the shell in runtime', async () => {
    expect(await errorsFor('src-main/runtime/x.ts', "import { app } from 'electron';\n")).not.toHaveLength(0);
    expect(await errorsFor('src-main/runtime/x.ts', "import { x } from '../electron/main';\n")).not.toHaveLength(0);
    expect(await errorsFor('src-main/runtime/x.ts', "import { x } from '../../src-renderer/app';\n")).not.toHaveLength(
      0,
    );
    expect(
      await errorsFor('src-main/runtime/x.ts', "import { x } from '../common';\nimport { y } from 'node:fs';\n"),
    ).toHaveLength(0);
  });

  it('keeps common pure', async () => {
    expect(await errorsFor('src-main/common/x.ts', "import { readFileSync } from 'node:fs';\n")).not.toHaveLength(0);
    expect(await errorsFor('src-main/common/x.ts', "import { x } from '../runtime/node';\n")).not.toHaveLength(0);
    expect(await errorsFor('src-main/common/x.ts', "import { x } from './types';\n")).toHaveLength(0);
  });

  it('lets the renderer import runtime/api types only', async () => {
    expect(
      await errorsFor('src-renderer/x.ts', "import type { AppRouter } from '../src-main/runtime/api';\n"),
    ).toHaveLength(0);
    expect(
      await errorsFor('src-renderer/x.ts', "import { appRouter } from '../src-main/runtime/api';\n"),
    ).not.toHaveLength(0);
    expect(
      await errorsFor('src-renderer/x.ts', "import { startNode } from '../src-main/runtime/node';\n"),
    ).not.toHaveLength(0);
    expect(await errorsFor('src-renderer/x.ts', "import { ipcRenderer } from 'electron';\n")).not.toHaveLength(0);
    expect(await errorsFor('src-renderer/x.ts', "import { x } from '../src-main/common';\n")).toHaveLength(0);
  });

  it('lets the electron shell import runtime and electron', async () => {
    expect(
      await errorsFor(
        'src-main/electron/x.ts',
        "import { app } from 'electron';\nimport { x } from '../runtime/node';\n",
      ),
    ).toHaveLength(0);
  });
});
