/**
 * The desktop shell: starts this household's node in the main process, shows the window and the
 * tray icon (which turns red in emergency mode), and bridges the UI to the node over IPC.
 */
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import { configPath, loadConfig } from '../runtime/config';
import { startNode, type RunningNode } from '../runtime/node';
import { installTrpcIpc } from './ipc';
import { HearthTray } from './tray';
import { createMainWindow } from './window';

let node: RunningNode | null = null;
let window: BrowserWindow | null = null;
let tray: HearthTray | null = null;

function resourcesDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
}

function showWindow(): void {
  if (window && !window.isDestroyed()) window.show();
  else window = createMainWindow();
}

async function boot(): Promise<void> {
  const file = configPath();
  node = await startNode({ config: loadConfig(file), configFile: file });
  const removeIpc = installTrpcIpc(node.api);
  tray = new HearthTray(resourcesDir(), showWindow, () => app.quit());
  tray.show(node.api.status().mode);
  node.emergency.stateBus.on((state) => tray?.setMode(state.mode));
  app.once('will-quit', removeIpc);
  showWindow();
}

// One app per household: a second launch focuses the first.
if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', showWindow);
  app.whenReady().then(boot).catch((err: unknown) => {
    console.error('HearthNet could not start:', err);
    app.exit(1);
  });
  // Closing the window keeps the node serving the street; quit from the tray.
  app.on('window-all-closed', () => {});
  app.on('activate', showWindow);
  app.on('before-quit', (event) => {
    if (!node) return;
    event.preventDefault();
    const stopping = node;
    node = null;
    tray?.destroy();
    void stopping.stop().finally(() => app.quit());
  });
}
