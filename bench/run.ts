/** `npm run bench -- <name>`: runs bench/<name>.ts (each prints its figures, last line `<name>: ...`). */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
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
  const mod = (await import(pathToFileURL(file).href)) as { main?: () => Promise<void> };
  if (typeof mod.main === 'function') await mod.main();
}
