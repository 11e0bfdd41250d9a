/**
 * The desktop app's logic around a real node, with Electron replaced by a recording shell and the
 * IPC fakes: the window reaches the real AppRouter over the bridge, an invite link from the launch
 * argv reaches onboarding and joins a real community, a second launch focuses and forwards, the
 * tray follows the node, notifications obey the setting, a page crash reloads without touching the
 * node, and quitting stops everything in order (window and tray first, then the node: databases
 * closed, no runtime file).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPC_IPC_GLOBAL } from '../../../src-main/common/trpc-ipc';
import type { AppRouter, DesktopLink } from '../../../src-main/runtime/api';
import { loadConfig, saveConfig } from '../../../src-main/runtime/config';
import { loadOrGenerateKeyPair } from '../../../src-main/runtime/identity';
import { startNode, type RunningNode } from '../../../src-main/runtime/node';
import { nodeFiles } from '../../../src-main/runtime/config/node-paths';
import { DesktopApp, type DesktopShell } from '../../../src-main/electron/desktop-app';
import type { DesktopNotification } from '../../../src-main/electron/notifications';
import type { TrayAction, TrayView } from '../../../src-main/electron/tray-state';
import { createTrpcIpcBridge } from '../../../src-preload/bridge';
import { ipcBridge, ipcLink } from '../../../src-renderer/src/ipc-link';
import { createMesh, testConfig, waitFor, type Mesh } from '../../support/mesh';
import { fakeContextBridge, FakeIpcMain, FakeRenderer } from '../../unit/electron/fake-electron-ipc';

class RecordingShell implements DesktopShell {
  readonly platform = 'linux' as const;
  readonly ipcMain = new FakeIpcMain();
  readonly calls: string[] = [];
  readonly notes: DesktopNotification[] = [];
  tray: TrayView | null = null;
  trayAction: ((a: TrayAction) => void) | null = null;
  exitCode: number | null = null;
  constructor(private readonly nodeStopped: () => boolean) {}
  showWindow() {
    this.calls.push('showWindow');
  }
  openTab(tab: string) {
    this.calls.push(`openTab:${tab}`);
  }
  reloadWindow() {
    this.calls.push('reloadWindow');
  }
  closeWindows() {
    this.calls.push(`closeWindows(node stopped: ${this.nodeStopped()})`);
  }
  setTray(view: TrayView, onAction: (a: TrayAction) => void) {
    this.tray = view;
    this.trayAction = onAction;
  }
  destroyTray() {
    this.calls.push(`destroyTray(node stopped: ${this.nodeStopped()})`);
    this.tray = null;
  }
  notify(n: DesktopNotification, onClick: () => void) {
    this.notes.push(n);
    onClick();
  }
  exit(code: number) {
    this.calls.push(`exit:${code}`);
    this.exitCode = code;
  }
}

let mesh: Mesh;
let home: string;
let node: RunningNode | null = null;
let nodeStopped = false;
let shell: RecordingShell;
let app: DesktopApp;
let client: ReturnType<typeof createTRPCClient<AppRouter>>;
let inviteText: string;

beforeAll(async () => {
  mesh = await createMesh(1);
  home = mkdtempSync(join(tmpdir(), 'hn-desktop-'));
  const env = { HEARTHNET_HOME: home };
  const configFile = join(home, 'config.toml');
  const config = testConfig(home, 'carol');
  saveConfig(config, configFile, { env });
  const kp = loadOrGenerateKeyPair(config.identity.keys_dir);
  const alice = mesh.byName('alice').node;
  inviteText = (await alice.api.createInvite({ nodeId: kp.nodeIdFull, level: 'member', ttlSeconds: 3600 })).text;

  shell = new RecordingShell(() => nodeStopped);
  app = new DesktopApp({
    shell,
    home,
    argv: ['/opt/HearthNet/hearthnet', inviteText],
    log: { info: () => {}, error: () => {} },
    trayPollMs: 100,
    trayDebounceMs: 50,
    startNode: async () => {
      node = await startNode({
        config: loadConfig(configFile, { env }),
        configFile,
        name: 'carol',
        syncIntervalMs: 500,
        autodetectLlm: false,
      });
      const stop = node.stop.bind(node);
      return Object.assign(Object.create(node) as RunningNode, {
        stop: async () => {
          await stop();
          nodeStopped = true;
        },
      });
    },
  });
  await app.start();
  const renderer = new FakeRenderer(shell.ipcMain);
  const world: Record<string, unknown> = {};
  fakeContextBridge(world).exposeInMainWorld(TRPC_IPC_GLOBAL, createTrpcIpcBridge(renderer.ipcRenderer));
  client = createTRPCClient<AppRouter>({ links: [ipcLink({ bridge: ipcBridge(world)! })] });
}, 60_000);

afterAll(async () => {
  if (!nodeStopped) await node?.stop();
  await mesh?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the desktop app around a real node', () => {
  it('shows the window and the tray, and the window reaches the real AppRouter over IPC', async () => {
    expect(shell.calls).toEqual(['showWindow']);
    expect(shell.tray?.icon).toMatch(/^tray-(online|degraded|offline)-24\.png$/);
    const status = await client.status.query();
    expect(status.node_id).toBe(node!.kp.nodeIdFull);
    expect(await client.desktop.settings.query()).toEqual({ in_app: true, notifications: true, sharing_paused: false });
  });

  it('an invite link from the launch, and one from a second launch, reach onboarding; the invite joins the street', async () => {
    const links: DesktopLink[] = [];
    const sub = client.desktop.links.subscribe(undefined, { onData: (l) => links.push(l) });
    await waitFor(() => links.length === 1, 5_000, 'the launch link');
    expect(links[0]).toEqual({ kind: 'invite', url: inviteText });
    app.onSecondInstance(['/opt/HearthNet/hearthnet', '--no-sandbox', 'hearthnet://join/ABCD-2345']);
    await waitFor(() => links.length === 2, 5_000, 'the second launch link');
    expect(links[1]).toEqual({ kind: 'other', url: 'hearthnet://join/ABCD-2345' });
    expect(shell.calls.filter((c) => c === 'showWindow').length).toBe(2);
    sub.unsubscribe();
    const joined = await client.redeemInvite.mutate({ text: links[0].url });
    expect(joined.community_id).toBe(mesh.byName('alice').node.kp.nodeIdFull);
  }, 30_000);

  it('the tray counts the reachable neighbour, and pausing sharing (from the window) shows at once', async () => {
    await waitFor(() => shell.tray?.tooltip.includes('1 neighbour reachable'), 20_000, 'the tray to count alice');
    await client.desktop.setSharingPaused.mutate({ paused: true });
    expect(shell.tray?.tooltip).toMatch(/sharing paused$/);
    expect(shell.tray?.menu.some((m) => m.kind === 'action' && m.label === 'Resume sharing')).toBe(true);
    shell.trayAction!('toggle-sharing');
    expect((await client.desktop.settings.query()).sharing_paused).toBe(false);
  }, 30_000);

  it('notifies a direct message and an emergency post, never while notifications are off', async () => {
    const alice = mesh.byName('alice').node;
    await alice.api.chatSend({ to: node!.kp.nodeIdFull, text: 'are you ok?' });
    await waitFor(() => shell.notes.length === 1, 20_000, 'the message notification');
    expect(shell.notes[0]).toEqual({ title: 'Message from alice', body: 'Open HearthNet to read it.', open: 'chat' });
    expect(shell.calls).toContain('openTab:chat');

    await client.desktop.setNotifications.mutate({ enabled: false });
    expect(existsSync(join(home, 'desktop.json'))).toBe(true);
    await alice.api.marketPost({ category: 'emergency', title: 'Quiet post', body: 'x' });
    await alice.api.marketPost({ category: 'offer', title: 'Spare ladder', body: 'x' });
    await waitFor(async () => (await client.marketList.query({})).posts.length >= 2, 20_000, 'the posts to sync');
    expect(shell.notes.length).toBe(1);

    await client.desktop.setNotifications.mutate({ enabled: true });
    await alice.api.marketPost({ category: 'emergency', title: 'Water main burst on Elm St', body: 'bring buckets' });
    await waitFor(() => shell.notes.length === 2, 20_000, 'the emergency notification');
    expect(shell.notes[1]).toMatchObject({ title: 'Emergency: Water main burst on Elm St', open: 'emergency' });
  }, 60_000);

  it('a crashed page is reloaded and the node never notices', async () => {
    const before = (await client.status.query()).uptime_s;
    expect(app.onRendererGone('crashed')).toBe('reload');
    expect(shell.calls).toContain('reloadWindow');
    expect((await client.status.query()).uptime_s).toBeGreaterThanOrEqual(before);
  });

  it('quitting from the window stops everything once, in order: no runtime file, databases closed', async () => {
    const files = nodeFiles(node!.config);
    expect(existsSync(files.runtime)).toBe(true);
    await client.desktop.quit.mutate();
    await waitFor(() => shell.exitCode !== null, 30_000, 'the app to exit');
    expect(shell.calls.slice(-3)).toEqual([
      'destroyTray(node stopped: false)',
      'closeWindows(node stopped: false)',
      'exit:0',
    ]);
    expect(nodeStopped).toBe(true);
    expect(existsSync(files.runtime)).toBe(false);
    // SQLite removes the write-ahead log when the last connection closes cleanly.
    expect(existsSync(`${files.eventLog}-wal`)).toBe(false);
    expect(existsSync(files.eventLog)).toBe(true);
    expect(shell.ipcMain.listenerCount('hearthnet:trpc')).toBe(0);
    await app.quit('SIGTERM');
    expect(shell.calls.filter((c) => c.startsWith('exit')).length).toBe(2);
    expect(shell.calls.filter((c) => c.startsWith('destroyTray')).length).toBe(1);
  }, 60_000);
});
