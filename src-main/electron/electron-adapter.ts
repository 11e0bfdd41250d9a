/**
 * The thin adapter: the only module besides main.ts that touches Electron. It applies the window
 * policy (window-policy.ts), draws the tray from a TrayView, shows notifications, and hands
 * Electron's events to DesktopApp. No decisions are made here.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  net,
  Notification,
  protocol,
  session,
  shell,
  systemPreferences,
  Tray,
  type MenuItemConstructorOptions,
} from 'electron';
import type { DesktopShell } from './desktop-app';
import type { TrayAction, TrayPlatform, TrayView } from './tray-state';
import {
  APP_ORIGIN,
  APP_SCHEME,
  appFileFor,
  CONTENT_SECURITY_POLICY,
  isAppPage,
  navigationAllowed,
  openExternally,
  permissionCheckAllowed,
  permissionGranted,
  SECURE_WEB_PREFERENCES,
  withCsp,
  type AppPage,
} from './window-policy';

/** Must run before 'ready': app:// is a standard, secure scheme (an origin, fetch, no mixed content). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}
import type { IpcMainLike } from './trpc-ipc-server';

export interface ElectronShellOptions {
  /** Folder of the built app: out/main (preload and renderer are its siblings). */
  readonly mainDir: string;
  /** Folder of the tray icons. */
  readonly trayIconDir: string;
  /** Asked when the page dies (crash, OOM, killed). */
  readonly onRendererGone: (reason: string) => void;
  /** Windows logout or shutdown (delivered to windows, so the window is hidden rather than closed). */
  readonly onSessionEnd: () => void;
  /** True once the app is stopping: then closing the window really closes it. */
  readonly isQuitting: () => boolean;
}

export function platformOf(p: NodeJS.Platform): TrayPlatform {
  return p === 'darwin' || p === 'win32' ? p : 'linux';
}

export class ElectronShell implements DesktopShell {
  readonly platform = platformOf(process.platform);
  readonly ipcMain: IpcMainLike = ipcMain;
  private window: BrowserWindow | null = null;
  private tray: Tray | null = null;
  private readonly page: AppPage;
  private readonly rendererDir: string;

  constructor(private readonly opts: ElectronShellOptions) {
    this.rendererDir = join(opts.mainDir, '../renderer');
    const devUrl = process.env.ELECTRON_RENDERER_URL;
    this.page = { devOrigin: !app.isPackaged && devUrl ? devUrl : null };
  }

  /** Session-wide rules (after 'ready'): the page served from app:// with its CSP, camera for our page only, nothing else. */
  applySessionPolicy(): void {
    const ses = session.defaultSession;
    protocol.handle(APP_SCHEME, async (request) => {
      const file = appFileFor(request.url, this.rendererDir, join);
      if (!file) return new Response('not found', { status: 404 });
      const res = await net.fetch(pathToFileURL(file).href);
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      return new Response(res.body, { status: res.status, headers });
    });
    // Any other response (the dev server excepted: Vite's live reload needs inline scripts) gets the same CSP.
    if (!this.page.devOrigin)
      ses.webRequest.onHeadersReceived((details, callback) =>
        callback({ responseHeaders: withCsp(details.responseHeaders) }),
      );
    ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
      const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes as string[] | undefined) : undefined;
      const granted = permissionGranted(
        {
          permission,
          requestingUrl: details.requestingUrl,
          mediaTypes,
          fromSubFrame: !details.isMainFrame,
        },
        this.page,
      );
      if (!granted || process.platform !== 'darwin') {
        callback(granted);
        return;
      }
      // macOS asks the user once (NSCameraUsageDescription in Info.plist says why).
      void systemPreferences.askForMediaAccess('camera').then(callback, () => callback(false));
    });
    ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
      permissionCheckAllowed(permission, requestingOrigin, this.page),
    );
  }

  showWindow(): void {
    const win = this.window && !this.window.isDestroyed() ? this.window : this.createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  openTab(): void {
    // Which tab the page shows is the renderer's routing; bringing the window forward is ours.
    this.showWindow();
  }

  reloadWindow(): void {
    if (this.window && !this.window.isDestroyed()) this.window.webContents.reload();
  }

  closeWindows(): void {
    for (const w of BrowserWindow.getAllWindows()) w.destroy();
    this.window = null;
  }

  setTray(view: TrayView, onAction: (action: TrayAction) => void): void {
    const image = nativeImage.createFromPath(join(this.opts.trayIconDir, view.icon));
    if (this.platform === 'darwin') image.setTemplateImage(true);
    if (!this.tray) {
      this.tray = new Tray(image);
      this.tray.on('click', () => onAction('open'));
    } else this.tray.setImage(image);
    this.tray.setToolTip(view.tooltip);
    const template: MenuItemConstructorOptions[] = view.menu.map((item) =>
      item.kind === 'separator'
        ? { type: 'separator' }
        : item.kind === 'label'
          ? { label: item.label, enabled: false }
          : { label: item.label, click: () => onAction(item.action) },
    );
    this.tray.setContextMenu(Menu.buildFromTemplate(template));
  }

  destroyTray(): void {
    this.tray?.destroy();
    this.tray = null;
  }

  notify(n: { title: string; body: string }, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title: n.title, body: n.body, silent: false });
    note.on('click', onClick);
    note.show();
  }

  exit(code: number): void {
    app.exit(code);
  }

  private createWindow(): BrowserWindow {
    const win = new BrowserWindow({
      width: 1100,
      height: 760,
      minWidth: 720,
      minHeight: 520,
      title: 'HearthNet',
      show: false,
      webPreferences: { ...SECURE_WEB_PREFERENCES, preload: join(this.opts.mainDir, '../preload/index.cjs') },
    });
    const wc = win.webContents;
    wc.setWindowOpenHandler(({ url }) => {
      if (openExternally(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    wc.on('will-navigate', (event, url) => {
      if (!navigationAllowed(url, this.page)) event.preventDefault();
    });
    wc.on('will-redirect', (event, url) => {
      if (!isAppPage(url, this.page)) event.preventDefault();
    });
    wc.on('will-attach-webview', (event) => event.preventDefault());
    wc.on('render-process-gone', (_event, details) => this.opts.onRendererGone(details.reason));
    win.once('ready-to-show', () => win.show());
    // Closing the window hides it (the tray or a new launch brings it back); the node keeps serving the street.
    win.on('close', (event) => {
      if (this.opts.isQuitting()) return;
      event.preventDefault();
      win.hide();
    });
    win.on('session-end', () => this.opts.onSessionEnd());
    win.on('closed', () => {
      if (this.window === win) this.window = null;
    });
    if (this.page.devOrigin) void win.loadURL(this.page.devOrigin);
    else void win.loadURL(`${APP_ORIGIN}/`);
    this.window = win;
    return win;
  }
}
