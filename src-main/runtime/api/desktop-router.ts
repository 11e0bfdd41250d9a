/**
 * `desktop.*`: what only the desktop app offers, for the window (the Settings tab, onboarding):
 * the notification setting, pausing sharing, quitting (every tray action is also in the window),
 * and the hearthnet:// links the app was opened with. The Electron shell implements
 * DesktopControls and puts it in the context; over HTTP (a browser, the CLI) there is none, and
 * `settings` says so with `in_app: false` while the other procedures refuse.
 */
import { TRPCError } from '@trpc/server';
import type { ApiContext } from './trpc';
import { Type } from '@sinclair/typebox';
import { proc, t } from './trpc';
import { input } from './validate';

export interface DesktopSettingsView {
  /** False when the UI is served over HTTP rather than inside the desktop app. */
  readonly in_app: boolean;
  readonly notifications: boolean;
  readonly sharing_paused: boolean;
}

/** A hearthnet:// link the OS handed to the app (an invite when kind is 'invite'). */
export interface DesktopLink {
  readonly kind: 'invite' | 'other';
  readonly url: string;
}

export interface DesktopControls {
  settings(): { notifications: boolean; sharing_paused: boolean };
  setNotifications(enabled: boolean): void;
  setSharingPaused(paused: boolean): void;
  /** Quit the app (the node stops; neighbours no longer reach this household). */
  quit(): void;
  /** Links waiting for the onboarding flow, then each new one, until `signal` aborts. */
  links(signal: AbortSignal): AsyncIterable<DesktopLink>;
}

function controls(ctx: ApiContext): DesktopControls {
  const d = (ctx as ApiContext & { desktop?: DesktopControls }).desktop;
  if (!d) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'only the HearthNet desktop app offers this' });
  return d;
}

const enabledInput = input(Type.Object({ enabled: Type.Boolean() }));
const pausedInput = input(Type.Object({ paused: Type.Boolean() }));

export const desktopRouter = t.router({
  settings: proc.query(({ ctx }): DesktopSettingsView => {
    const d = (ctx as ApiContext & { desktop?: DesktopControls }).desktop;
    if (!d) return { in_app: false, notifications: false, sharing_paused: false };
    return { in_app: true, ...d.settings() };
  }),
  setNotifications: proc.input(enabledInput).mutation(({ ctx, input }) => {
    controls(ctx).setNotifications(input.enabled);
    return { notifications: input.enabled };
  }),
  setSharingPaused: proc.input(pausedInput).mutation(({ ctx, input }) => {
    controls(ctx).setSharingPaused(input.paused);
    return { sharing_paused: input.paused };
  }),
  quit: proc.mutation(({ ctx }) => {
    controls(ctx).quit();
    return { quitting: true };
  }),
  links: proc.subscription(async function* ({ ctx, signal }) {
    const d = controls(ctx);
    const ac = new AbortController();
    const stop = () => ac.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      yield* d.links(ac.signal);
    } finally {
      signal?.removeEventListener('abort', stop);
      ac.abort();
    }
  }),
});
