/** `npm run build` step: bundles the CLI to out/cli/hearthnet.mjs, which bin/hearthnet runs when it is fresh. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from './bundle-node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await bundleNode({
  entry: { file: join(root, 'src-main/runtime/cli/main.ts') },
  outfile: join(root, 'out/cli/hearthnet.mjs'),
});
