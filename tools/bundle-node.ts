/**
 * One esbuild bundle of TypeScript sources for plain node (ESM; npm packages stay external and
 * resolve from node_modules). Used for the headless CLI (`out/cli/hearthnet.mjs`) and the benches.
 *
 * Why a bundle and not tsx at run time: tsx keeps every function's name with a runtime `__name()`
 * call per closure created (measurable on hot paths) and holds its transform caches and a loader
 * thread in memory (~50 MB of a headless node's idle RSS).
 */
import { build } from 'esbuild';

export async function bundleNode(o: {
  entry: { file: string } | { contents: string; resolveDir: string; name: string };
  outfile: string;
}): Promise<void> {
  const entry =
    'file' in o.entry
      ? { entryPoints: [o.entry.file] }
      : {
          stdin: {
            contents: o.entry.contents,
            resolveDir: o.entry.resolveDir,
            sourcefile: o.entry.name,
            loader: 'ts' as const,
          },
        };
  await build({
    ...entry,
    outfile: o.outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: false,
    logLevel: 'warning',
  });
}
