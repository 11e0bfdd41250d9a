/**
 * What the tray shows, as plain data: the icon for the mode on this platform, a tooltip naming the
 * mode and how many neighbours are reachable, and the menu (open, mode, pause sharing, quit).
 * Every menu action is also in the window (GNOME shows no tray without an extension).
 */
import type { Mode } from '../common';

export type TrayPlatform = 'darwin' | 'win32' | 'linux';

export interface TrayState {
  readonly mode: Mode;
  /** Neighbours currently reachable (seen recently and not refusing us). */
  readonly reachable: number;
  readonly sharingPaused: boolean;
}

export type TrayAction = 'open' | 'toggle-sharing' | 'quit';

export type TrayMenuItem =
  | { readonly kind: 'action'; readonly label: string; readonly action: TrayAction }
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'separator' };

export interface TrayView {
  /** File name inside the tray icon folder (resources/tray). */
  readonly icon: string;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

const MODE_WORDS: Record<Mode, string> = {
  online: 'Online',
  degraded: 'Internet patchy',
  offline: 'Emergency mode: internet down, street mesh working',
};

/**
 * macOS: monochrome template images (the menu bar tints them), so the state is in the shape: a full
 * disc online, a half disc degraded, a ring with a cross offline. Windows: a multi-size .ico.
 * Linux: 24 px PNGs (22-24 px is what panels draw).
 */
export function trayIconFile(mode: Mode, platform: TrayPlatform): string {
  if (platform === 'darwin') return `tray-${mode}-Template.png`;
  if (platform === 'win32') return `tray-${mode}.ico`;
  return `tray-${mode}-24.png`;
}

export function neighboursPhrase(n: number): string {
  if (n === 0) return 'no neighbours reachable';
  return n === 1 ? '1 neighbour reachable' : `${n} neighbours reachable`;
}

export function trayView(state: TrayState, platform: TrayPlatform): TrayView {
  const mode = MODE_WORDS[state.mode];
  const sharing = state.sharingPaused ? 'sharing paused' : null;
  return {
    icon: trayIconFile(state.mode, platform),
    tooltip: ['HearthNet', mode, neighboursPhrase(state.reachable), sharing].filter(Boolean).join(' — '),
    menu: [
      { kind: 'action', label: 'Open HearthNet', action: 'open' },
      { kind: 'separator' },
      { kind: 'label', label: `Mode: ${mode}` },
      { kind: 'label', label: neighboursPhrase(state.reachable).replace(/^./, (c) => c.toUpperCase()) },
      { kind: 'action', label: state.sharingPaused ? 'Resume sharing' : 'Pause sharing', action: 'toggle-sharing' },
      { kind: 'separator' },
      { kind: 'action', label: 'Quit HearthNet (stops serving the street)', action: 'quit' },
    ],
  };
}

export function sameTrayState(a: TrayState | null, b: TrayState): boolean {
  return !!a && a.mode === b.mode && a.reachable === b.reachable && a.sharingPaused === b.sharingPaused;
}

export interface DebounceTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How long a state must hold before the tray shows it (modes and neighbour counts flap). */
export const TRAY_DEBOUNCE_MS = 1_500;

/**
 * Shows a state once it has held for `delayMs`; a flap back to what is shown cancels the update.
 * A user action (pausing sharing) is shown at once with `flush`.
 */
export class TrayDebouncer {
  private shown: TrayState | null = null;
  private wanted: TrayState | null = null;
  private timer: unknown = null;

  constructor(
    private readonly apply: (state: TrayState) => void,
    private readonly delayMs = TRAY_DEBOUNCE_MS,
    private readonly timers: DebounceTimers = {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
  ) {}

  update(state: TrayState): void {
    if (this.shown === null) {
      this.flush(state);
      return;
    }
    if (sameTrayState(this.wanted, state)) return;
    this.cancel();
    this.wanted = state;
    if (sameTrayState(this.shown, state)) {
      this.wanted = null;
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      const s = this.wanted;
      this.wanted = null;
      if (s) this.show(s);
    }, this.delayMs);
  }

  flush(state: TrayState): void {
    this.cancel();
    this.wanted = null;
    this.show(state);
  }

  current(): TrayState | null {
    return this.shown;
  }

  stop(): void {
    this.cancel();
  }

  private show(state: TrayState): void {
    if (sameTrayState(this.shown, state)) return;
    this.shown = state;
    this.apply(state);
  }

  private cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
