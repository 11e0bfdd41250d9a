/** The shell's rules as plain functions: window and permission policy, hearthnet:// links, tray view and debouncing, shutdown order. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopEnv, desktopHome } from '../../../src-main/electron/app-home';
import {
  findHearthnetLink,
  LinkForwarder,
  parseHearthnetLink,
  type HearthnetLink,
} from '../../../src-main/electron/protocol-link';
import { Shutdown } from '../../../src-main/electron/shutdown';
import { TrayDebouncer, trayIconFile, trayView, type TrayState } from '../../../src-main/electron/tray-state';
import {
  APP_ORIGIN,
  appFileFor,
  CONTENT_SECURITY_POLICY,
  CrashPolicy,
  isAppPage,
  navigationAllowed,
  openExternally,
  permissionCheckAllowed,
  permissionGranted,
  SECURE_WEB_PREFERENCES,
  withCsp,
} from '../../../src-main/electron/window-policy';

const packaged = { devOrigin: null };
const dev = { devOrigin: 'http://localhost:5173' };
const invite = 'hearthnet://v1/eyJ2IjoxfQ';

describe('window policy', () => {
  it('isolates and sandboxes the page, with no Node in it', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
  });

  it('the CSP allows own scripts and WebAssembly (QR decoder) and nothing remote', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|'unsafe-eval'/);
    const headers = withCsp({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html' });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Type']).toEqual(['text/html']);
  });

  it('knows its own page: app://hearthnet when packaged, the dev server in development', () => {
    expect(isAppPage(`${APP_ORIGIN}/`, packaged)).toBe(true);
    expect(isAppPage(`${APP_ORIGIN}/index.html#/join`, packaged)).toBe(true);
    expect(isAppPage('app://evil/', packaged)).toBe(false);
    expect(isAppPage('file:///etc/passwd', packaged)).toBe(false);
    expect(isAppPage('https://example.org/', packaged)).toBe(false);
    expect(isAppPage('http://localhost:5173/#/chat', dev)).toBe(true);
    expect(isAppPage(`${APP_ORIGIN}/`, dev)).toBe(false);
    expect(isAppPage('not a url', packaged)).toBe(false);
    expect(navigationAllowed('https://example.org/', packaged)).toBe(false);
  });

  it('serves only files inside the renderer folder from app://', () => {
    const dir = '/opt/HearthNet/out/renderer';
    expect(appFileFor(`${APP_ORIGIN}/`, dir, join)).toBe(join(dir, 'index.html'));
    expect(appFileFor(`${APP_ORIGIN}/assets/index-x.js`, dir, join)).toBe(join(dir, 'assets/index-x.js'));
    // The URL parser folds dot segments itself, so this stays inside the folder...
    expect(appFileFor(`${APP_ORIGIN}/assets/%2e%2e/%2e%2e/secret`, dir, join)).toBe(join(dir, 'secret'));
    // ...and encoded slashes that would climb out after decoding are refused.
    expect(appFileFor(`${APP_ORIGIN}/a/..%2f..%2f..%2fetc%2fpasswd`, dir, join)).toBeNull();
    expect(appFileFor(`${APP_ORIGIN}/a%5c..%5csecret`, dir, join)).toBeNull();
    expect(appFileFor('app://other/index.html', dir, join)).toBeNull();
    expect(appFileFor('file:///etc/passwd', dir, join)).toBeNull();
  });

  it('grants the camera to the app page only, and nothing else to anyone', () => {
    const cam = { permission: 'media', requestingUrl: `${APP_ORIGIN}/`, mediaTypes: ['video'] };
    expect(permissionGranted(cam, packaged)).toBe(true);
    expect(permissionGranted({ ...cam, mediaTypes: ['video', 'audio'] }, packaged)).toBe(false);
    expect(permissionGranted({ ...cam, mediaTypes: [] }, packaged)).toBe(false);
    expect(permissionGranted({ ...cam, requestingUrl: 'https://example.org/' }, packaged)).toBe(false);
    expect(permissionGranted({ ...cam, fromSubFrame: true }, packaged)).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'midi']) {
      expect(permissionGranted({ permission, requestingUrl: `${APP_ORIGIN}/` }, packaged)).toBe(false);
    }
    expect(permissionCheckAllowed('media', `${APP_ORIGIN}`, packaged)).toBe(true);
    expect(permissionCheckAllowed('media', 'https://example.org', packaged)).toBe(false);
    expect(permissionCheckAllowed('geolocation', `${APP_ORIGIN}`, packaged)).toBe(false);
  });

  it('opens only http(s) links in the browser', () => {
    expect(openExternally('https://hearthnet.example/help')).toBe(true);
    expect(openExternally('file:///etc/passwd')).toBe(false);
    expect(openExternally('javascript:alert(1)')).toBe(false);
    expect(openExternally('smb://share')).toBe(false);
  });

  it('reloads a crashed page, but gives up on a crash loop; a clean exit is left alone', () => {
    let t = 0;
    const policy = new CrashPolicy(3, 60_000, () => t);
    expect(policy.onRendererGone('clean-exit')).toBe('ignore');
    expect(['crashed', 'oom', 'killed'].map((r) => policy.onRendererGone(r))).toEqual(['reload', 'reload', 'reload']);
    expect(policy.onRendererGone('crashed')).toBe('give-up');
    t += 61_000;
    expect(policy.onRendererGone('crashed')).toBe('reload');
  });
});

describe('hearthnet:// links', () => {
  it('recognises invites and passes other hearthnet links on; refuses anything else', () => {
    expect(parseHearthnetLink(invite)).toEqual({ kind: 'invite', url: invite });
    expect(parseHearthnetLink(`  ${invite}\n`)).toEqual({ kind: 'invite', url: invite });
    expect(parseHearthnetLink('HEARTHNET://v1/abc')).toEqual({ kind: 'invite', url: 'hearthnet://v1/abc' });
    expect(parseHearthnetLink('hearthnet://join/ABCD-1234')).toEqual({
      kind: 'other',
      url: 'hearthnet://join/ABCD-1234',
    });
    for (const bad of [
      'hearthnet://',
      'https://v1/abc',
      'hearthnet://v1/a b',
      'hearthnet://v1/<script>',
      'hearthnet://v1/a\u0007',
      `hearthnet://v1/${'a'.repeat(9000)}`,
      42,
      null,
    ]) {
      expect(parseHearthnetLink(bad)).toBeNull();
    }
  });

  it('finds the link in a second launch argv (Windows and Linux pass it as an argument)', () => {
    expect(findHearthnetLink(['/opt/HearthNet/hearthnet', '--no-sandbox', invite])).toEqual({
      kind: 'invite',
      url: invite,
    });
    expect(findHearthnetLink(['C:\\HearthNet.exe', '--allow-file-access-from-files', invite])).toEqual({
      kind: 'invite',
      url: invite,
    });
    expect(findHearthnetLink(['/opt/HearthNet/hearthnet'])).toBeNull();
  });

  it('keeps links until onboarding listens, then forwards each once', () => {
    const fwd = new LinkForwarder();
    fwd.forward({ kind: 'invite', url: invite });
    expect(fwd.pendingCount()).toBe(1);
    const got: HearthnetLink[] = [];
    const off = fwd.listen((l) => got.push(l));
    fwd.forward({ kind: 'other', url: 'hearthnet://join/x' });
    expect(got.map((l) => l.url)).toEqual([invite, 'hearthnet://join/x']);
    off();
    for (let i = 0; i < 20; i++) fwd.forward({ kind: 'other', url: `hearthnet://n/${i}` });
    expect(fwd.pendingCount()).toBe(LinkForwarder.MAX_PENDING);
  });
});

describe('app data folder', () => {
  it('puts the node in <userData>/node, laid out like HEARTHNET_HOME; an explicit HEARTHNET_HOME wins', () => {
    expect(desktopHome('/home/a/.config/HearthNet', {})).toBe('/home/a/.config/HearthNet/node');
    expect(desktopEnv('/u', { HOME: '/home/a' })).toEqual({ HOME: '/home/a', HEARTHNET_HOME: '/u/node' });
    expect(desktopHome('/u', { HEARTHNET_HOME: '/srv/node' })).toBe('/srv/node');
  });
});

describe('tray', () => {
  const s = (mode: TrayState['mode'], reachable = 2, sharingPaused = false): TrayState => ({
    mode,
    reachable,
    sharingPaused,
  });

  it('has an icon per state and platform, and a tooltip naming the mode and the reachable neighbours', () => {
    expect(trayIconFile('offline', 'darwin')).toBe('tray-offline-Template.png');
    expect(trayIconFile('degraded', 'win32')).toBe('tray-degraded.ico');
    expect(trayIconFile('online', 'linux')).toBe('tray-online-24.png');
    expect(trayView(s('offline', 3), 'linux').tooltip).toBe(
      'HearthNet — Emergency mode: internet down, street mesh working — 3 neighbours reachable',
    );
    expect(trayView(s('online', 1), 'linux').tooltip).toBe('HearthNet — Online — 1 neighbour reachable');
    expect(trayView(s('degraded', 0, true), 'linux').tooltip).toBe(
      'HearthNet — Internet patchy — no neighbours reachable — sharing paused',
    );
  });

  it('the menu offers open, the mode, pause/resume sharing and quit', () => {
    const labels = (st: TrayState) =>
      trayView(st, 'darwin')
        .menu.filter((m) => m.kind !== 'separator')
        .map((m) => ('label' in m ? m.label : ''));
    expect(labels(s('online'))).toEqual([
      'Open HearthNet',
      'Mode: Online',
      '2 neighbours reachable',
      'Pause sharing',
      'Quit HearthNet (stops serving the street)',
    ]);
    expect(labels(s('online', 2, true))).toContain('Resume sharing');
    const actions = trayView(s('online'), 'darwin').menu.flatMap((m) => (m.kind === 'action' ? [m.action] : []));
    expect(actions).toEqual(['open', 'toggle-sharing', 'quit']);
  });

  it('debounces: a state is shown once it held, a flap back shows nothing, a user action shows at once', () => {
    const timers: Array<{ fn: () => void; at: number } | null> = [];
    let now = 0;
    const fake = {
      setTimeout: (fn: () => void, ms: number) => timers.push({ fn, at: now + ms }) - 1,
      clearTimeout: (h: unknown) => (timers[h as number] = null),
    };
    const advance = (ms: number) => {
      now += ms;
      for (let i = 0; i < timers.length; i++) {
        const t = timers[i];
        if (t && t.at <= now) {
          timers[i] = null;
          t.fn();
        }
      }
    };
    const shown: TrayState[] = [];
    const d = new TrayDebouncer((st) => shown.push(st), 1_500, fake);
    d.update(s('online'));
    expect(shown).toEqual([s('online')]);
    d.update(s('offline'));
    advance(1_000);
    d.update(s('online'));
    advance(5_000);
    expect(shown).toEqual([s('online')]);
    d.update(s('offline'));
    advance(1_000);
    d.update(s('offline'));
    advance(600);
    expect(shown).toEqual([s('online'), s('offline')]);
    d.flush(s('offline', 2, true));
    expect(shown.at(-1)).toEqual(s('offline', 2, true));
    d.update(s('degraded'));
    d.stop();
    advance(10_000);
    expect(shown.length).toBe(3);
  });
});

describe('shutdown', () => {
  it('runs each step once in order, goes on past a failing or hung step, and later callers share the run', async () => {
    const order: string[] = [];
    const logged: string[] = [];
    const sd = new Shutdown(
      [
        { name: 'a', run: () => void order.push('a') },
        {
          name: 'b',
          run: () => {
            order.push('b');
            throw new Error('boom');
          },
        },
        { name: 'hung', run: () => new Promise<void>(() => order.push('hung')) },
        { name: 'c', run: () => Promise.resolve(void order.push('c')) },
      ],
      { info: () => {}, error: (m, f) => logged.push(`${m} ${String(f?.step)}`) },
      50,
    );
    const first = sd.run('SIGTERM');
    const second = sd.run('quit');
    await Promise.all([first, second]);
    expect(order).toEqual(['a', 'b', 'hung', 'c']);
    expect(sd.reason).toBe('SIGTERM');
    expect(logged).toEqual([
      'shutdown step failed; going on with the rest b',
      'shutdown step failed; going on with the rest hung',
    ]);
  });
});
