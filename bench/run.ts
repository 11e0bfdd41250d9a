/**
 * `npm run bench -- <name> [...]`: bundles bench/<name>.ts with esbuild into out/bench/<name>.mjs
 * and runs it in plain node (each prints its figures, last line `<name>: ...`). Benchmarks measure
 * the code as it ships (the app and the headless CLI run bundles), not tsx's on-the-fly transform
 * (see tools/bundle-node.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from '../tools/bundle-node';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'out', 'bench');
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
if (wanted.length === 0) {
  console.error(`usage: npm run bench -- <name> [...]\navailable: ${names.join(', ')}`);
  process.exit(2);
}
for (const name of wanted) {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`no benchmark "${name}"; available: ${names.join(', ')}`);
    process.exit(2);
  }
  const outfile = join(outDir, `${name}.mjs`);
  // The entry runs `main()` only when started with --bench-main: a bench that forks itself
  // (transfer) re-runs the same bundle as a child with its own flags.
  await bundleNode({
    entry: {
      contents: `import * as bench from ${JSON.stringify(file)};\nif (process.argv.includes('--bench-main')) await bench.main();\n`,
      resolveDir: here,
      name: `${name}-entry.ts`,
    },
    outfile,
  });
  const r = spawnSync(process.execPath, [outfile, '--bench-main'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
