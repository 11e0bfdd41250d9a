/**
 * Electron main process entry: one app per household (single-instance lock), the node started
 * in-process with its data in the OS app-data folder, hearthnet:// links routed to onboarding, and
 * every way of stopping (Quit, OS logout or shutdown, SIGTERM) running DesktopApp's one shutdown.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, powerMonitor } from 'electron';
import { errorMessage, errorStack } from '../common';
import { configPath, loadConfig } from '../runtime/config';
import { startNode } from '../runtime/node';
import { desktopEnv } from './app-home';
import { DesktopApp } from './desktop-app';
import { ElectronShell, registerAppScheme } from './electron-adapter';
import { PROTOCOL_SCHEME } from './protocol-link';
import { quitOnSignals } from './shutdown';

const mainDir = dirname(fileURLToPath(import.meta.url));
const log = {
  info: (message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(`hearthnet-desktop: ${message}${fields ? ' ' + JSON.stringify(fields) : ''}\n`),
  error: (message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(`hearthnet-desktop: error: ${message}${fields ? ' ' + JSON.stringify(fields) : ''}\n`),
};

function registerProtocol(): void {
  // In development Electron runs as `electron <script>`: register that command line, not Electron alone.
  if (process.defaultApp && process.argv.length >= 2)
    app.setAsDefaultProtocolClient(PROTOCOL_SCHEME, process.execPath, [resolve(process.argv[1])]);
  else app.setAsDefaultProtocolClient(PROTOCOL_SCHEME);
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    // The first instance receives our argv (and any hearthnet:// link in it) through 'second-instance'.
    app.quit();
    return;
  }
  registerAppScheme();
  const env = desktopEnv(app.getPath('userData'), process.env);
  process.env.HEARTHNET_HOME = env.HEARTHNET_HOME;
  const trayIconDir = app.isPackaged ? join(process.resourcesPath, 'tray') : join(app.getAppPath(), 'resources/tray');
  let desktop: DesktopApp | null = null;
  const shell = new ElectronShell({
    mainDir,
    trayIconDir,
    onRendererGone: (reason) => desktop?.onRendererGone(reason),
    // Windows logout or shutdown; macOS and Linux signal it through powerMonitor or SIGTERM.
    onSessionEnd: () => void desktop?.quit('os session end'),
    isQuitting: () => desktop?.shutdown.started ?? false,
  });
  desktop = new DesktopApp({
    shell,
    home: env.HEARTHNET_HOME,
    argv: process.argv,
    log,
    startNode: async () => {
      const file = configPath(env);
      return startNode({ config: loadConfig(file, { env }), configFile: file });
    },
  });
  const d = desktop;

  // macOS delivers links as events, possibly before 'ready'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    d.onOpenUrl(url);
  });
  app.on('second-instance', (_event, argv) => d.onSecondInstance(argv));
  app.on('activate', () => shell.showWindow());
  // Closing the last window keeps the node serving the street; quitting is explicit.
  app.on('window-all-closed', () => {});
  // Quit (menu, Cmd+Q, the OS on macOS logout): run our shutdown first; it ends with app.exit(),
  // which does not come back here.
  app.on('before-quit', (event) => {
    event.preventDefault();
    void d.quit('quit');
  });
  quitOnSignals(process, (signal) => void d.quit(signal));

  app
    .whenReady()
    .then(async () => {
      powerMonitor.on('shutdown', () => void d.quit('os shutdown'));
      registerProtocol();
      shell.applySessionPolicy();
      await d.start();
    })
    .catch((err: unknown) => {
      log.error('HearthNet could not start', { error: errorStack(err) });
      // A household sees why (another copy of this household running from a terminal, a damaged settings file, ...).
      dialog.showErrorBox(
        'HearthNet could not start',
        `${errorMessage(err)}\n\nYour data was not changed. Data folder: ${env.HEARTHNET_HOME}`,
      );
      app.exit(1);
    });
}

main();
