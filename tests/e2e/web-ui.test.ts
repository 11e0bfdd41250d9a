/**
 * The SolidJS UI, built by electron-vite and served by a real node's local API, in headless
 * Chromium: it reaches the node over tRPC with the per-run token and shows the household.
 * Skipped with a printed reason when Chromium or the built UI is missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src-main/runtime/version';
import { createMesh, waitFor, type Mesh } from '../support/mesh';

const CHROMIUM = '/usr/bin/chromium';
const WEB_ROOT = join(APP_ROOT ?? '.', 'out/renderer');
const reason = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is not installed`
  : !existsSync(join(WEB_ROOT, 'index.html'))
    ? 'the web UI is not built (npm run build)'
    : null;
if (reason) console.log(`tests/e2e/web-ui.test.ts skipped: ${reason}`);
const itUi = reason ? it.skip : it;

describe('web UI served by a node', () => {
  let mesh: Mesh;
  let browser: Browser;
  beforeAll(async () => {
    if (reason) return;
    mesh = await createMesh(2);
    await waitFor(() => mesh.byName('alice').node.api.status().peers.length === 1, 15_000, 'alice to see bob');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await mesh?.close();
  });

  itUi('shows the household, its community and its neighbour', async () => {
    const alice = mesh.byName('alice').node;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${alice.apiPort}/#token=${alice.apiToken}`);
    await page.getByText('Test Street').waitFor({ timeout: 15_000 });
    expect(await page.textContent('h1')).toBe('alice');
    // The household id is kept out of the main view, behind "About this household".
    await page.getByText('About this household').click();
    await page.getByText(alice.kp.nodeIdShort).waitFor({ timeout: 5_000 });
    expect(await page.getAttribute('html', 'data-theme')).toBe('normal');
  });

  itUi('a household the community removed is told so on its own page', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    expect(alice.api.governance({ action: 'revoke', nodeId: bob.kp.nodeIdFull, reason: 'moved away' }).done).toBe(true);
    await waitFor(
      () => bob.api.status().peers.some((p) => p.refuses_us === 'revoked'),
      20_000,
      'bob to be refused as revoked',
    );
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${bob.apiPort}/#token=${bob.apiToken}`);
    await page.getByText('This household was removed from Test Street').waitFor({ timeout: 15_000 });
  });

  itUi('without the token the page says how to get in', async () => {
    const alice = mesh.byName('alice').node;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${alice.apiPort}/`);
    await page.getByText('Open HearthNet from this computer').waitFor({ timeout: 15_000 });
    expect(await page.textContent('body')).toContain('hearthnet open');
  });
});
