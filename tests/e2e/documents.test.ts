/**
 * A folder of documents added in Settings › Documents (with progress) and cited in an answer in
 * Ask, in headless Chromium against a real node that embeds with the Model2Vec test model and
 * answers with stories260K (both from ../shared/models).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../support/mesh';
import { MODEL2VEC_DIR, STORIES_GGUF } from '../support/models';
import { launchBrowser, openApp, screenshot, selectTab, uiSkipReason } from './support/browser';

const EMBED = 'model2vec-bge-64d-q';
const reason =
  uiSkipReason() ??
  (STORIES_GGUF && MODEL2VEC_DIR ? null : 'the stories260K or Model2Vec test model is missing (../shared/models)');
if (reason) console.log(`tests/e2e/documents.test.ts skipped: ${reason}`);

describe.skipIf(reason)('documents in the browser: a folder added in Settings, cited in Ask', () => {
  let mesh: Mesh;
  let browser: Browser;
  let docs: string;
  beforeAll(async () => {
    docs = mkdtempSync(join(tmpdir(), 'hn-e2e-docs-'));
    mkdirSync(join(docs, 'kitchen'));
    writeFileSync(
      join(docs, 'generator.md'),
      '# Generator\n\nThe shared generator lives in the community hall shed. Book it with Margaret at number 3; it runs eight hours on a full tank.\n',
    );
    writeFileSync(
      join(docs, 'kitchen', 'burns.txt'),
      'Cool a burn under running water for twenty minutes. Do not use ice or butter.\n',
    );
    mesh = await createMesh(1, {
      configure: (c) => {
        mkdirSync(c.node.models_dir, { recursive: true });
        cpSync(MODEL2VEC_DIR!, join(c.node.models_dir, EMBED), { recursive: true });
        return {
          ...c,
          embedding: { ...c.embedding, model: EMBED },
          llm: { backends: [{ name: 'llama_cpp', url: null, model: STORIES_GGUF!, api_key_env: null }] },
        };
      },
    });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await mesh?.close();
    rmSync(docs, { recursive: true, force: true });
  });

  it('adds the folder with progress, and an answer cites a passage from it', async () => {
    const { context, page } = await openApp(browser, mesh.byName('alice').node, { tab: 'Settings' });
    try {
      const panel = page.locator('[role=tabpanel]:not([hidden])');
      await panel.getByLabel('Collection name', { exact: true }).fill('street-help');
      await panel.getByLabel('Folder on the computer running HearthNet', { exact: true }).fill(docs);
      const sawProgress = page.waitForSelector('[role=tabpanel]:not([hidden]) .job progress', { timeout: 20_000 });
      await panel.getByRole('button', { name: 'Add the folder' }).click();
      await sawProgress;
      await panel.getByText('street-help: 2 documents ready for Ask.').waitFor({ timeout: 60_000 });
      await panel.getByText(/street-help\s*— 2 documents/).waitFor({ timeout: 10_000 });
      await screenshot(page, 'settings-documents-added-1280');

      await selectTab(page, 'Ask');
      const ask = page.locator('#panel-ask');
      // Ask was opened with the page (the first tab), before the folder existed: look again.
      await ask.getByRole('button', { name: 'Look again for computers and documents' }).click();
      await ask.getByLabel(/^street-help/).check({ timeout: 20_000 });
      await ask.getByLabel('Your question').fill('Where is the shared generator and who do I book it with?');
      await ask.getByRole('button', { name: 'Ask', exact: true }).click();
      await page.waitForFunction(
        () =>
          ['done', 'failed'].includes(
            document.querySelector('#panel-ask article.answer')?.getAttribute('data-phase') ?? '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const answer = ask.locator('article.answer').first();
      expect(await answer.getAttribute('data-phase')).toBe('done');
      const source = answer.locator('details.source', { hasText: 'street-help' }).first();
      await source.locator('summary').click();
      expect(await source.locator('blockquote').textContent()).toContain('generator');
      await screenshot(page, 'ask-cites-folder-1280');
    } finally {
      await context.close();
    }
  }, 120_000);
});
