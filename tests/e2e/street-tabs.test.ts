/**
 * The Files, Emergency and Settings tabs and the street topology in headless Chromium, against
 * three real nodes in one community whose emergency probes point at a local server:
 * the topology shows the three households and a live call; a file added on alice is downloaded
 * on bob with progress, shared onward, and downloaded by carol from bob after alice stops; the
 * emergency theme appears when the probe server stops. Screenshots of the three tabs at 1280 and
 * 390 px in both themes go to test-results/e2e/ (git-ignored); axe-core checks every tab.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCapability } from '../../src-main/runtime/bus';
import type { RunningNode } from '../../src-main/runtime/node';
import { createMesh, waitFor, type Mesh } from '../support/mesh';
import { ProbeServer } from '../support/probe-server';
import {
  DESKTOP,
  launchBrowser,
  openApp,
  PHONE,
  screenshot,
  seriousA11yViolations,
  selectTab,
  uiSkipReason,
} from './support/browser';

const reason = uiSkipReason();
if (reason) console.log(`tests/e2e/street-tabs.test.ts skipped: ${reason}`);

const MY_TABS = ['Files', 'Emergency', 'Settings'] as const;

/** Screenshots of the three tabs at both widths, and axe on each; returns the violations found. */
async function shootTabs(browser: Browser, node: RunningNode, theme: 'normal' | 'emergency'): Promise<string[]> {
  const problems: string[] = [];
  for (const [width, viewport] of [
    ['1280', DESKTOP],
    ['390', PHONE],
  ] as const) {
    const { context, page } = await openApp(browser, node, { viewport });
    try {
      for (const tab of MY_TABS) {
        await selectTab(page, tab);
        await settled(page);
        await screenshot(page, `${tab.toLowerCase()}-${width}-${theme}`);
        if (width === '1280')
          for (const v of await seriousA11yViolations(page))
            problems.push(`${tab} (${theme}): ${v.id} ${v.help} ${v.nodes.join(' ')}`);
      }
    } finally {
      await context.close();
    }
  }
  return problems;
}

/** Wait until the visible panel shows no loading note. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[role=tabpanel]:not([hidden]) .state-loading'), undefined, {
    timeout: 15_000,
  });
}

describe.skipIf(reason)('Files, Emergency, Settings and the topology in a browser', () => {
  let mesh: Mesh;
  let probe: ProbeServer;
  let browser: Browser;
  beforeAll(async () => {
    probe = new ProbeServer();
    await probe.start();
    mesh = await createMesh(3, {
      configure: (c) => ({ ...c, emergency: { ...c.emergency, probe_targets: [probe.url] } }),
      node: { emergency: { debounceSeconds: 1, intervalOnline: 0.3, intervalOffline: 0.3 } },
    });
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 2), 20_000, 'full mesh');
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await mesh?.close();
    await probe?.stop();
  });

  it('the topology shows the three households and animates a live call; the tabs pass axe (normal theme)', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    bob.bus.registerCapability(
      defineCapability({
        name: 'test.ping',
        version: [1, 0],
        request_schema: { type: 'object' },
        response_schema: null,
        idempotent: true,
      }),
      () => Promise.resolve({ pong: true }),
    );
    await waitFor(
      () => alice.api.capabilities({ name: 'test.ping', remoteOnly: true }).length === 1,
      15_000,
      'test.ping to reach alice',
    );

    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'no-preference', bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${alice.apiPort}/#token=${alice.apiToken}`);
      await page.locator('[role=tablist]').waitFor({ timeout: 20_000 });
      await selectTab(page, 'Emergency');
      const nodes = page.locator('.topo-node');
      await waitFor(async () => (await nodes.count()) === 3, 15_000, 'three households in the graph');
      for (const name of ['alice', 'bob', 'carol'])
        expect(await page.locator(`.topo-node[aria-label^="${name}"]`).count()).toBe(1);
      // Keyboard: the households are focusable and say what they offer.
      await page.locator('.topo-node[aria-label^="bob"]').focus();
      await page.getByText(/^bob: reachable/).waitFor({ timeout: 5_000 });
      // A live call alice -> bob travels along their line (a moving dot), and is told in words.
      const sawDot = page.waitForSelector('.topo-call', { timeout: 10_000 });
      await alice.bus.call('test.ping', [1, 0], {});
      await sawDot;
      await page.getByText('alice asked bob').waitFor({ timeout: 10_000 });
      await screenshot(page, 'topology-live-call');
    } finally {
      await context.close();
    }
    expect(await shootTabs(browser, alice, 'normal')).toEqual([]);
  }, 90_000);

  it('a file added on alice is downloaded on bob with progress, shared onward, and fetched by carol from bob after alice stops', async () => {
    const [alice, bob, carol] = mesh.nodes.map((m) => m.node);
    const bytes = randomBytes(1536 * 1024 + 123);
    const a = await openApp(browser, alice, { tab: 'Files' });
    await a.page
      .locator('#files-picker')
      .setInputFiles({ name: 'street-map.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await a.page.getByText('street-map.bin is shared with your street.').waitFor({ timeout: 20_000 });
    await a.context.close();

    const downloadOn = async (
      node: RunningNode,
      heldBy: string,
    ): Promise<{ page: Page; close: () => Promise<void> }> => {
      const { context, page } = await openApp(browser, node, { tab: 'Files' });
      try {
        return await download(page, heldBy, () => context.close());
      } catch (err) {
        await screenshot(page, `files-failed-${heldBy}`);
        throw err;
      }
    };
    const download = async (
      page: Page,
      heldBy: string,
      close: () => Promise<void>,
    ): Promise<{ page: Page; close: () => Promise<void> }> => {
      const item = page.locator('[data-testid=file-item]', { hasText: 'street-map.bin' });
      await item.getByText(new RegExp(`Held by .*${heldBy}`)).waitFor({ timeout: 20_000 });
      // Record every progress bar the item shows while it works.
      await page.evaluate(() => {
        const w = window as unknown as { seenProgress: number };
        w.seenProgress = 0;
        new MutationObserver(() => {
          if (document.querySelector('[data-testid=file-item] progress')) w.seenProgress++;
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 30_000 }),
        item.getByRole('button', { name: 'Download street-map.bin' }).click(),
      ]);
      expect(readFileSync(await download.path())).toEqual(bytes);
      expect(download.suggestedFilename()).toBe('street-map.bin');
      expect(await page.evaluate(() => (window as unknown as { seenProgress: number }).seenProgress)).toBeGreaterThan(
        0,
      );
      await item.getByText('Saved street-map.bin').waitFor({ timeout: 5_000 });
      return { page, close };
    };

    const b = await downloadOn(bob, 'alice');
    await screenshot(b.page, 'files-after-download-1280');
    const share = b.page.getByRole('button', { name: 'Share with the street: street-map.bin' });
    // Share onward: keep it and offer it to the street (already so when the fetch pinned it).
    if (await share.count()) {
      await share.click();
      await b.page.getByText('Your household now shares street-map.bin').waitFor({ timeout: 10_000 });
    } else {
      await b.page.getByText('Your household shares this').waitFor({ timeout: 5_000 });
    }
    await b.close();

    await mesh.byName('alice').stop();
    const c = await downloadOn(carol, 'bob');
    await c.close();
  }, 120_000);

  it('the emergency theme appears when the probe server stops, and the Emergency tab says the street still works', async () => {
    const bob = mesh.byName('bob').node;
    const { context, page } = await openApp(browser, bob, { tab: 'Emergency' });
    try {
      await page.getByText('The internet is working.').waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('normal');
      await probe.stop();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'emergency', undefined, {
        timeout: 20_000,
      });
      await page.getByRole('heading', { name: 'The internet is down.', exact: true }).waitFor({ timeout: 15_000 });
      expect(await page.textContent('[role=tabpanel]:not([hidden])')).toContain('did not answer');
    } finally {
      await context.close();
    }
    expect(await shootTabs(browser, bob, 'emergency')).toEqual([]);
  }, 90_000);
});
