/** The tray icon: shows at a glance whether the street is online, degraded or cut off (emergency mode). */
import { join } from 'node:path';
import { Menu, nativeImage, Tray } from 'electron';
import type { Mode } from '../common';

const TOOLTIP: Record<Mode, string> = {
  online: 'HearthNet — online',
  degraded: 'HearthNet — internet is patchy',
  offline: 'HearthNet — internet is down: the neighbourhood mesh keeps working',
};

export class HearthTray {
  private tray: Tray | null = null;

  constructor(private readonly resourcesDir: string, private readonly onOpen: () => void, private readonly onQuit: () => void) {}

  show(mode: Mode): void {
    if (!this.tray) {
      this.tray = new Tray(this.icon(mode));
      this.tray.on('click', this.onOpen);
    }
    this.setMode(mode);
  }

  setMode(mode: Mode): void {
    if (!this.tray) return;
    this.tray.setImage(this.icon(mode));
    this.tray.setToolTip(TOOLTIP[mode]);
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: TOOLTIP[mode], enabled: false },
        { type: 'separator' },
        { label: 'Open HearthNet', click: this.onOpen },
        { label: 'Quit', click: this.onQuit },
      ]),
    );
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
  }

  private icon(mode: Mode) {
    return nativeImage.createFromPath(join(this.resourcesDir, `tray-${mode}.png`));
  }
}
