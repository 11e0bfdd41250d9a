/**
 * Headless Chromium for the e2e tests: one browser per file, a page per household opened on its
 * node's local API with the token, screenshots saved under test-results/ (git-ignored), and an
 * axe-core check injected into the page. `uiSkipReason` says why a file must skip (no
 * Chromium, UI not built).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { APP_ROOT } from '../../../src-main/runtime/version';
import type { RunningNode } from '../../../src-main/runtime/node';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB_ROOT = join(APP_ROOT ?? '.', 'out/renderer');
export const ARTIFACTS = join(APP_ROOT ?? '.', 'test-results', 'e2e');

/** Why the UI tests cannot run here, or null when they can. */
export function uiSkipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed`;
  if (!existsSync(join(WEB_ROOT, 'index.html'))) return 'the web UI is not built (npm run build)';
  return null;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--metrics-recording-only',
      '--mute-audio',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 860 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** A fresh browser context (its own sessionStorage) showing `node`'s app, optionally at a tab. */
export async function openApp(
  browser: Browser,
  node: RunningNode,
  opts: { tab?: string; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? 'light',
    reducedMotion: 'reduce',
    bypassCSP: true,
  });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${node.apiPort}/#token=${node.apiToken}`);
  await page.locator('[role=tablist], .onboarding-fallback').first().waitFor({ timeout: 20_000 });
  if (opts.tab) await selectTab(page, opts.tab);
  return { context, page };
}

/** Click a tab by its visible label and wait for its panel. */
export async function selectTab(page: Page, label: string): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${label}`) }).click();
  await page.locator(`[role=tabpanel]:not([hidden])`).first().waitFor();
}

/**
 * Save a screenshot as a test artifact; returns its path. The whole page on a wide screen; on a
 * phone-sized one what the phone shows (a full-page shot would draw the fixed bottom tab bar in
 * the middle of the page), plus the rest of the page as `<name>-scrolled` when it is longer.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  const viewport = page.viewportSize();
  // From the top, so the sticky tab bar is drawn where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  if (!viewport || viewport.width > 700) {
    await page.screenshot({ path, fullPage: true });
    return path;
  }
  await page.screenshot({ path });
  if (await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight + 40)) {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.screenshot({ path: join(ARTIFACTS, `${name}-scrolled.png`) });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  return path;
}

const require = createRequire(import.meta.url);

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

/** Run axe-core (injected from node_modules) on the page; returns serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{
            violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
          }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
