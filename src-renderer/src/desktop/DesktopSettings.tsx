/**
 * The desktop app's own settings, for the Settings tab: notifications on or off, pause sharing,
 * quit. Every tray action is here too (some desktops show no tray). Renders nothing in a browser.
 * Mount it with one line in tabs/Settings.tsx: `<DesktopSettings />`.
 */
import { createResource, createSignal, Show, type Component } from 'solid-js';
import { trpc } from '../trpc';

const DesktopSettings: Component = () => {
  const [settings, { mutate }] = createResource(() => trpc.desktop.settings.query());
  const [error, setError] = createSignal<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(`That did not work: ${(err as Error).message}. Nothing was changed; try again.`);
    }
  };

  return (
    <Show when={!settings.error && settings()?.in_app ? settings() : undefined}>
      {(current) => (
        <section aria-labelledby="desktop-settings-title">
          <h3 id="desktop-settings-title">This computer</h3>
          <p>HearthNet keeps serving your street while its window is closed. These are also in the tray icon's menu.</p>
          <label>
            <input
              type="checkbox"
              checked={current().notifications}
              onChange={(e) => {
                const enabled = e.currentTarget.checked;
                void run(async () =>
                  mutate({
                    ...current(),
                    notifications: (await trpc.desktop.setNotifications.mutate({ enabled })).notifications,
                  }),
                );
              }}
            />{' '}
            Show a notification for new messages to us and new emergency posts
          </label>
          <p>
            <button
              type="button"
              onClick={() => {
                const paused = !current().sharing_paused;
                void run(async () =>
                  mutate({
                    ...current(),
                    sharing_paused: (await trpc.desktop.setSharingPaused.mutate({ paused })).sharing_paused,
                  }),
                );
              }}
            >
              {current().sharing_paused ? 'Resume sharing' : 'Pause sharing'}
            </button>{' '}
            {current().sharing_paused
              ? 'Sharing is paused: neighbours cannot use this computer’s AI until you resume. Chat, the market and files go on.'
              : 'Pausing stops neighbours using this computer’s AI until you resume (or restart the app).'}
          </p>
          <p>
            <button type="button" onClick={() => void run(() => trpc.desktop.quit.mutate())}>
              Quit HearthNet
            </button>{' '}
            Your neighbours will not reach this household until you open it again.
          </p>
          <Show when={error()}>{(e) => <p role="alert">{e()}</p>}</Show>
        </section>
      )}
    </Show>
  );
};

export default DesktopSettings;
