/**
 * Child process for desktop-signals.test.ts: the desktop app's logic around a real node in the
 * HEARTHNET_HOME given as argv[2], with Electron replaced by a minimal shell whose exit() ends the
 * process; it prints "ready" once serving and quits on the signals main.ts routes.
 */
import { join } from 'node:path';
import { loadConfig } from '../../../src-main/runtime/config';
import { startNode } from '../../../src-main/runtime/node';
import { DesktopApp, type DesktopShell } from '../../../src-main/electron/desktop-app';
import { quitOnSignals } from '../../../src-main/electron/shutdown';
import { FakeIpcMain } from '../../unit/electron/fake-electron-ipc';

const home = process.argv[2];
const env = { HEARTHNET_HOME: home };
const configFile = join(home, 'config.toml');
const shell: DesktopShell = {
  platform: 'linux',
  ipcMain: new FakeIpcMain(),
  showWindow: () => {},
  openTab: () => {},
  reloadWindow: () => {},
  closeWindows: () => process.stdout.write('windows closed\n'),
  setTray: () => {},
  destroyTray: () => process.stdout.write('tray removed\n'),
  notify: () => {},
  exit: (code) => {
    process.stdout.write(`exit ${code}\n`);
    process.exit(code);
  },
};
const app = new DesktopApp({
  shell,
  home,
  log: {
    info: (m, f) => process.stdout.write(`${m} ${JSON.stringify(f ?? {})}\n`),
    error: (m, f) => process.stdout.write(`error: ${m} ${JSON.stringify(f ?? {})}\n`),
  },
  startNode: () =>
    startNode({ config: loadConfig(configFile, { env }), configFile, name: 'desktop', autodetectLlm: false }),
});
quitOnSignals(process, (signal) => void app.quit(signal));
await app.start();
process.stdout.write('ready\n');
