/**
 * Settings that belong to the desktop app rather than the node: `<HEARTHNET_HOME>/desktop.json`.
 * Today: whether desktop notifications are shown. Written atomically; a damaged file means defaults.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DesktopSettings {
  /** Notify on new direct messages and new emergency posts. */
  readonly notifications: boolean;
}

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { notifications: true };
export const DESKTOP_SETTINGS_FILE = 'desktop.json';

export function desktopSettingsPath(home: string): string {
  return join(home, DESKTOP_SETTINGS_FILE);
}

export function loadDesktopSettings(file: string): DesktopSettings {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return {
      notifications:
        typeof raw.notifications === 'boolean' ? raw.notifications : DEFAULT_DESKTOP_SETTINGS.notifications,
    };
  } catch {
    return DEFAULT_DESKTOP_SETTINGS;
  }
}

export function saveDesktopSettings(file: string, settings: DesktopSettings): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
