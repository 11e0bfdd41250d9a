/**
 * The desktop app's logic, with Electron behind the DesktopShell adapter (electron-adapter.ts): the
 * node runs in-process for as long as the app runs (closing the window keeps serving the street),
 * the window reaches it over tRPC IPC, the tray and notifications follow it, hearthnet:// links go
 * to onboarding, and every way of stopping runs one ordered shutdown.
 */
import { errorMessage, type Mode } from '../common';
import { appRouter, toTrpcError, type DesktopControls, type DesktopLink } from '../runtime/api';
import type { RunningNode } from '../runtime/node';
import {
  desktopSettingsPath,
  loadDesktopSettings,
  saveDesktopSettings,
  type DesktopSettings,
} from './desktop-settings';
import { watchForNotifications, type DesktopNotification } from './notifications';
import { findHearthnetLink, LinkForwarder, parseHearthnetLink, type HearthnetLink } from './protocol-link';
import { SharingPause } from './sharing-pause';
import { Shutdown, type ShutdownLog } from './shutdown';
import { serveTrpcOverIpc, type IpcMainLike } from './trpc-ipc-server';
import { CrashPolicy } from './window-policy';
import {
  TrayDebouncer,
  trayView,
  type TrayAction,
  type TrayPlatform,
  type TrayState,
  type TrayView,
} from './tray-state';

/** Everything the app asks of Electron. */
export interface DesktopShell {
  readonly platform: TrayPlatform;
  readonly ipcMain: IpcMainLike;
  /** Create the window if there is none, then show and focus it. */
  showWindow(): void;
  /** Show the window on one of its tabs (a notification was clicked). */
  openTab(tab: DesktopNotification['open']): void;
  reloadWindow(): void;
  closeWindows(): void;
  setTray(view: TrayView, onAction: (action: TrayAction) => void): void;
  destroyTray(): void;
  notify(n: DesktopNotification, onClick: () => void): void;
  /** Leave the process (after the shutdown ran). */
  exit(code: number): void;
}

/** The parts of a running node the desktop app uses. */
export type DesktopNode = Pick<RunningNode, 'api' | 'bus' | 'emergency' | 'kp' | 'community' | 'stop' | 'peerRegistry'>;

export interface DesktopAppOptions {
  readonly shell: DesktopShell;
  /** The HEARTHNET_HOME folder of this app's node (desktop.json lives there). */
  readonly home: string;
  readonly startNode: () => Promise<DesktopNode>;
  readonly log: ShutdownLog;
  /** The launch's argv (a hearthnet:// link that started the app). */
  readonly argv?: readonly string[];
  /** How often the tray re-reads the neighbour count (ms). */
  readonly trayPollMs?: number;
  readonly trayDebounceMs?: number;
  readonly now?: () => number;
}

export const TRAY_POLL_MS = 5_000;

export class DesktopApp {
  readonly links = new LinkForwarder();
  private node: DesktopNode | null = null;
  private settings: DesktopSettings;
  private sharing: SharingPause | null = null;
  private readonly crash = new CrashPolicy();
  private readonly tray: TrayDebouncer;
  private readonly cleanup: Array<() => void> = [];
  private readonly watchAbort = new AbortController();
  private watchedCommunity: string | null = null;
  readonly shutdown: Shutdown;

  constructor(private readonly opts: DesktopAppOptions) {
    this.settings = loadDesktopSettings(desktopSettingsPath(opts.home));
    this.tray = new TrayDebouncer(
      (state) => this.opts.shell.setTray(trayView(state, this.opts.shell.platform), (a) => this.onTrayAction(a)),
      opts.trayDebounceMs,
    );
    this.shutdown = new Shutdown(
      [
        { name: 'stop listening to the window and the tray', run: () => this.detach() },
        { name: 'remove the tray icon', run: () => this.opts.shell.destroyTray() },
        { name: 'close the window', run: () => this.opts.shell.closeWindows() },
        { name: 'resume shared capabilities', run: () => this.sharing?.resume() },
        { name: 'stop the node (databases, runtime file)', run: () => this.node?.stop() },
      ],
      opts.log,
    );
    const first = findHearthnetLink(opts.argv ?? []);
    if (first) this.links.forward(first);
  }

  /** Starts the node, the IPC bridge, the tray and notifications; then shows the window. */
  async start(): Promise<void> {
    const node = await this.opts.startNode();
    this.node = node;
    this.sharing = new SharingPause(node.bus);
    const ipc = serveTrpcOverIpc({
      ipcMain: this.opts.shell.ipcMain,
      router: appRouter,
      createContext: () => ({ node: node.api, desktop: this.controls() }),
      toTrpcError,
      onError: (err) => this.opts.log.error('tRPC IPC', { error: errorMessage(err) }),
    });
    this.cleanup.push(() => ipc.close());
    this.cleanup.push(node.emergency.stateBus.on(() => this.refreshTray()));
    const timer = setInterval(() => this.tick(), this.opts.trayPollMs ?? TRAY_POLL_MS);
    timer.unref();
    this.cleanup.push(() => clearInterval(timer));
    this.cleanup.push(() => this.tray.stop());
    this.tray.flush(this.trayState());
    this.watchCommunity();
    this.opts.shell.showWindow();
  }

  /** The state the tray should show now. */
  trayState(): TrayState {
    const node = this.node;
    const mode: Mode = node ? node.emergency.mode() : 'offline';
    const reachable = node ? node.api.peers().filter((p) => p.refuses_us === null).length : 0;
    return { mode, reachable, sharingPaused: this.sharing?.isPaused() ?? false };
  }

  /** A second launch: focus the window; a link it carried goes to onboarding. */
  onSecondInstance(argv: readonly string[]): void {
    if (this.shutdown.started) return;
    this.opts.shell.showWindow();
    const link = findHearthnetLink(argv);
    if (link) this.links.forward(link);
  }

  /** macOS `open-url`. */
  onOpenUrl(url: string): void {
    const link = parseHearthnetLink(url);
    if (!link || this.shutdown.started) return;
    this.links.forward(link);
    if (this.node) this.opts.shell.showWindow();
  }

  /** The page crashed or was killed: reload it; the node never notices. */
  onRendererGone(reason: string): 'reload' | 'give-up' | 'ignore' {
    const decision = this.crash.onRendererGone(reason);
    this.opts.log.error('the window stopped', { reason, decision });
    if (decision === 'reload' && !this.shutdown.started) this.opts.shell.reloadWindow();
    return decision;
  }

  /** Quit, logout, SIGTERM: stop everything once, then exit. */
  async quit(reason: string): Promise<void> {
    await this.shutdown.run(reason);
    this.opts.shell.exit(0);
  }

  controls(): DesktopControls {
    return {
      settings: () => ({
        notifications: this.settings.notifications,
        sharing_paused: this.sharing?.isPaused() ?? false,
      }),
      setNotifications: (enabled) => {
        this.settings = { ...this.settings, notifications: enabled };
        saveDesktopSettings(desktopSettingsPath(this.opts.home), this.settings);
      },
      setSharingPaused: (paused) => this.setSharingPaused(paused),
      quit: () => {
        void this.quit('quit from the window');
      },
      links: (signal) => linkStream(this.links, signal),
    };
  }

  private setSharingPaused(paused: boolean): void {
    if (!this.sharing) return;
    if (paused) this.sharing.pause();
    else this.sharing.resume();
    this.tray.flush(this.trayState());
  }

  private onTrayAction(action: TrayAction): void {
    if (action === 'open') this.opts.shell.showWindow();
    else if (action === 'toggle-sharing') this.setSharingPaused(!(this.sharing?.isPaused() ?? false));
    else void this.quit('quit from the tray');
  }

  private refreshTray(): void {
    if (this.node && !this.shutdown.started) this.tray.update(this.trayState());
  }

  private tick(): void {
    this.refreshTray();
    this.watchCommunity();
  }

  /** Follows the community log for notifications (a household may join one while the app runs). */
  private watchCommunity(): void {
    const node = this.node;
    const community = node?.community();
    if (!node || !community || community.communityId === this.watchedCommunity || this.watchAbort.signal.aborted)
      return;
    this.watchedCommunity = community.communityId;
    const nameOf = (id: string) => node.peerRegistry.all().find((p) => p.node_id_full === id)?.display_name ?? null;
    void watchForNotifications(
      { subscribe: (types, o) => community.log.subscribe(types, o) },
      { me: node.kp.nodeIdFull, nameOf },
      () => this.settings.notifications,
      (n) => this.opts.shell.notify(n, () => this.opts.shell.openTab(n.open)),
      this.watchAbort.signal,
      this.opts.now,
    ).catch((err: unknown) => {
      this.opts.log.error('notifications stopped', { error: errorMessage(err) });
      this.watchedCommunity = null;
    });
  }

  private detach(): void {
    this.watchAbort.abort();
    for (const fn of this.cleanup.splice(0).reverse()) fn();
  }
}

/** The forwarder's links as an async iterable that ends when `signal` aborts. */
export async function* linkStream(links: LinkForwarder, signal: AbortSignal): AsyncGenerator<DesktopLink> {
  const queue: HearthnetLink[] = [];
  let wake: (() => void) | null = null;
  const off = links.listen((l) => {
    queue.push(l);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) {
        yield { kind: next.kind, url: next.url };
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    off();
    signal.removeEventListener('abort', onAbort);
  }
}
