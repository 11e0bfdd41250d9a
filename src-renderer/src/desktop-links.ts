/**
 * hearthnet:// links the desktop app was opened with (clicked invites), as the main process
 * forwards them over `desktop.links` (docs/protocol/desktop-ipc.md). In a browser there are none.
 */
import { ipcBridge } from './ipc-link';
import { trpc } from './trpc';

/** Calls `listener` with each link (those that arrived before the page listened first); returns the stop. */
export function onDesktopLink(listener: (url: string) => void): () => void {
  if (!ipcBridge()) return () => {};
  const sub = trpc.desktop.links.subscribe(undefined, { onData: (link) => listener(link.url) });
  return () => sub.unsubscribe();
}
