/**
 * `npm run bench -- <name> [...]`: bundles bench/<name>.ts with esbuild into out/bench/<name>.mjs
 * and runs it in plain node (each prints its figures, last line `<name>: ...`).
 *
 * Why bundle: benchmarks measure the code as it ships (the app runs a bundle), not tsx's on-the-fly
 * transform, which keeps every function's name with a runtime `__name()` call per closure created
 * (measurable on hot paths) and holds its own caches in memory (measurable in peak RSS).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'out', 'bench');
const names = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
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
  await build({
    stdin: { contents: `import * as bench from ${JSON.stringify(file)};\nif (process.argv.includes('--bench-main')) await bench.main();\n`, resolveDir: here, sourcefile: `${name}-entry.ts`, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: false,
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, [outfile, '--bench-main'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
