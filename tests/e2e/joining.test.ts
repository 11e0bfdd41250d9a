/**
 * Joining as a new household would, in headless Chromium against real nodes: alice's first launch
 * starts a community and shows a QR code; bob joins by scanning it with a (fake) camera, carol by
 * opening a PNG of it, dave by pasting the link after an expired, a reused and a tampered code
 * each showed their plain-words error and changed nothing. Then a 360 px phone pairs over the LAN
 * page and an unpaired one is refused. Screenshots of every screen go to tests/e2e/artifacts/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJoinCode, encodeJoinCode } from '../../src-main/runtime/onboarding';
import { APP_ROOT } from '../../src-main/runtime/version';
import { createMesh, waitFor, type Mesh } from '../support/mesh';
import { writeStillY4m } from './support/y4m';

const CHROMIUM = '/usr/bin/chromium';
const WEB_ROOT = join(APP_ROOT ?? '.', 'out/renderer');
const ARTIFACTS = join(APP_ROOT ?? '.', 'tests/e2e/artifacts/joining');
const reason = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is not installed`
  : !existsSync(join(WEB_ROOT, 'index.html'))
    ? 'the web UI is not built (npm run build)'
    : null;
if (reason) console.log(`tests/e2e/joining.test.ts skipped: ${reason}`);
const itUi = reason ? it.skip : it;
/** The LAN name phones use; Chromium maps it to 127.0.0.1 so no traffic leaves this machine. */
const LAN_NAME = `${hostname().toLowerCase()}.local`;
const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`,
];

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

async function openApp(
  browser: Browser,
  port: number,
  token: string,
  viewport = { width: 1024, height: 800 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`http://127.0.0.1:${port}/#token=${token}`);
  return page;
}

/** The QR image the inviter's page shows: its PNG bytes and its grey pixels (decoded by the page). */
async function shownQr(
  page: Page,
): Promise<{ png: Buffer; gray: Uint8Array; width: number; height: number; link: string }> {
  const img = page.locator('img.ob-qr');
  await img.waitFor({ timeout: 15_000 });
  const src = (await img.getAttribute('src'))!;
  const pixels = await img.evaluate((el: HTMLImageElement) => {
    const c = document.createElement('canvas');
    c.width = el.naturalWidth;
    c.height = el.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(el, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const gray: number[] = [];
    for (let i = 0; i < d.length; i += 4) gray.push(d[i]);
    return { gray, width: c.width, height: c.height };
  });
  return {
    png: Buffer.from(src.split(',')[1], 'base64'),
    gray: Uint8Array.from(pixels.gray),
    width: pixels.width,
    height: pixels.height,
    link: await page.locator('#ob-invite-link').inputValue(),
  };
}

describe('joining in the browser', () => {
  let mesh: Mesh;
  let browser: Browser;
  let cameraBrowser: Browser | undefined;
  beforeAll(async () => {
    if (reason) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    mesh = await createMesh(4, { noCommunity: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
  }, 60_000);
  afterAll(async () => {
    await cameraBrowser?.close();
    await browser?.close();
    await mesh?.close();
  });

  itUi(
    'first launch starts a community and shows a QR code; neighbours join by camera, by photo and by link',
    async () => {
      const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((n) => mesh.byName(n).node);
      const home = await openApp(browser, alice.apiPort, alice.apiToken);
      await home.getByRole('heading', { name: 'Welcome to HearthNet' }).waitFor({ timeout: 15_000 });
      await shot(home, '01-welcome');
      await home.getByRole('button', { name: /Start a community/ }).click();
      await home.getByLabel('What is your street or group called?').fill('Elm Street');
      await home.getByLabel('Any household in the community').check();
      await shot(home, '02-start-community');
      await home.getByRole('button', { name: 'Start the community' }).click();
      await home.getByRole('heading', { name: 'Elm Street is ready' }).waitFor({ timeout: 15_000 });
      const first = await shownQr(home);
      expect(first.link.length).toBeLessThan(250);
      await shot(home, '03-invite-qr');
      expect(alice.community()?.state.name()).toBe('Elm Street');

      // Bob scans it with the camera (Chromium's fake camera plays a video of alice's QR code).
      const video = join(ARTIFACTS, 'alice-qr.y4m');
      writeStillY4m(video, first.gray, first.width, first.height);
      cameraBrowser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          ...BASE_ARGS,
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${video}`,
        ],
      });
      const bobPage = await openApp(cameraBrowser, bob.apiPort, bob.apiToken);
      await bobPage.getByRole('button', { name: /Join a neighbour/ }).click();
      await shot(bobPage, '04-join-choices');
      const scanStarted = Date.now();
      await bobPage.getByRole('button', { name: 'Scan with the camera' }).click();
      await bobPage.getByRole('heading', { name: 'Welcome to Elm Street!' }).waitFor({ timeout: 30_000 });
      await shot(bobPage, '05-joined');
      expect(bob.community()?.communityId).toBe(alice.kp.nodeIdFull);
      await waitFor(
        () =>
          alice.api.status().peers.some((p) => p.node_id === bob.kp.nodeIdFull) &&
          bob.api.status().peers.some((p) => p.node_id === alice.kp.nodeIdFull),
        15_000,
        'alice and bob to see each other',
      );
      console.log(`joining e2e: camera scan to both households seeing each other: ${Date.now() - scanStarted} ms`);

      // Carol opens a photo (the PNG) of a fresh code.
      await home.getByRole('button', { name: 'Make a new code' }).click();
      await waitFor(
        async () => (await home.locator('#ob-invite-link').inputValue()) !== first.link,
        10_000,
        'a new code',
      );
      const second = await shownQr(home);
      const png = join(ARTIFACTS, 'second-code.png');
      writeFileSync(png, second.png);
      const carolPage = await openApp(browser, carol.apiPort, carol.apiToken);
      await carolPage.getByRole('button', { name: /Join a neighbour/ }).click();
      await carolPage.locator('input[type=file]').setInputFiles(png);
      await carolPage.getByRole('heading', { name: 'Welcome to Elm Street!' }).waitFor({ timeout: 30_000 });
      expect(carol.community()?.communityId).toBe(alice.kp.nodeIdFull);

      // Dave: an expired, a reused and a tampered code each say so in plain words and change nothing.
      // Dave uses a phone-sized window: the onboarding screens work at 360 px.
      const davePage = await openApp(browser, dave.apiPort, dave.apiToken, { width: 360, height: 740 });
      await shot(davePage, '01-welcome-360px');
      await davePage.getByRole('button', { name: /Join a neighbour/ }).click();
      expect(await davePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      const decoded = decodeJoinCode(first.link);
      const cases: [string, string, string][] = [
        [
          'expired',
          encodeJoinCode({ ...decodeJoinCode(second.link), expiresAt: Math.floor(Date.now() / 1000) - 60 }),
          'This join code has expired.',
        ],
        ['reused', first.link, 'Someone has already joined with this code.'],
        [
          'tampered',
          encodeJoinCode({ ...decoded, secret: `${decoded.secret.slice(0, -2)}xx` }),
          "Your neighbour's HearthNet doesn't recognise this code.",
        ],
      ];
      const logBefore = alice.community()!.log.count();
      for (const [name, text, words] of cases) {
        await davePage.getByLabel('Or paste the link your neighbour sent').fill(text);
        await davePage.getByRole('button', { name: 'Join', exact: true }).click();
        await davePage.getByRole('alert').getByText(words).waitFor({ timeout: 15_000 });
        expect(await davePage.getByRole('alert').textContent()).toContain('Nothing was changed');
        await shot(davePage, `06-error-${name}`);
        expect(dave.community()).toBeNull();
      }
      expect(alice.community()!.log.count()).toBe(logBefore);

      await home.getByRole('button', { name: 'Make a new code' }).click();
      await waitFor(
        async () => (await home.locator('#ob-invite-link').inputValue()) !== second.link,
        10_000,
        'a third code',
      );
      await davePage
        .getByLabel('Or paste the link your neighbour sent')
        .fill(await home.locator('#ob-invite-link').inputValue());
      await davePage.getByRole('button', { name: 'Join', exact: true }).click();
      await davePage.getByRole('heading', { name: 'Welcome to Elm Street!' }).waitFor({ timeout: 30_000 });
      await shot(davePage, '05-joined-360px');
      expect(dave.community()?.communityId).toBe(alice.kp.nodeIdFull);
      await home.getByRole('button', { name: 'Continue to HearthNet' }).click();
      await home.locator('.app-header .street', { hasText: 'Elm Street' }).waitFor({ timeout: 15_000 });
    },
    120_000,
  );

  itUi(
    'a phone pairs over the LAN page at 360 px; an unpaired one is refused',
    async () => {
      const alice = mesh.byName('alice').node;
      const home = await openApp(browser, alice.apiPort, alice.apiToken);
      // Phone access is a section of the Settings tab.
      await home.getByRole('tab', { name: /^Settings/ }).click();
      await home.getByLabel('Phones on this network can use HearthNet').check();
      await home.getByRole('button', { name: 'Pair a phone' }).click();
      const link = await home.locator('#ob-pair-link').inputValue();
      await shot(home, '07-phone-pairing');
      const url = new URL(link);
      const phoneUrl = `http://${LAN_NAME}:${url.port}/${url.hash}`;

      const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
      await phone.goto(phoneUrl);
      await phone.locator('.app-header .street', { hasText: 'Elm Street' }).waitFor({ timeout: 15_000 });
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await shot(phone, '08-phone-paired');
      await home.getByRole('button', { name: 'Done' }).click();
      await home
        .getByText(/Android phone|Phone|iPhone/)
        .first()
        .waitFor({ timeout: 10_000 });
      expect(alice.api.onboarding.phoneAccess().phones).toHaveLength(1);

      const stranger = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true });
      await stranger.goto(`http://${LAN_NAME}:${url.port}/`);
      await stranger.getByRole('heading', { name: 'This phone is not paired yet' }).waitFor({ timeout: 15_000 });
      expect(await stranger.textContent('body')).not.toContain('Elm Street');
      await shot(stranger, '09-phone-unpaired');
      // The same code again (someone who photographed the QR code): refused, it works once.
      const copycat = await browser.newPage({ viewport: { width: 360, height: 740 } });
      await copycat.goto(phoneUrl);
      await copycat.getByText('Pairing did not work').waitFor({ timeout: 15_000 });
      expect(alice.api.onboarding.phoneAccess().phones).toHaveLength(1);

      const noToken = await browser.newPage();
      await noToken.goto(`http://127.0.0.1:${alice.apiPort}/`);
      await noToken.getByRole('heading', { name: 'Open HearthNet from this computer' }).waitFor({ timeout: 15_000 });
      await shot(noToken, '10-no-token');
    },
    60_000,
  );
});
