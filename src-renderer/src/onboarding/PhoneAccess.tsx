/**
 * Settings → "Phones on your network": off by default. When on, a phone pairs by scanning the code
 * shown here and gets its own key; each paired phone can be forgotten (its key stops working at
 * once). Default export, no props. On a phone itself it only says where this is managed.
 */
import { createResource, createSignal, For, Show, type Component } from 'solid-js';
import { trpc } from '../trpc';
import { onLanPage } from './access';
import ErrorPanel from './ErrorPanel';
import { plainError, type PlainError } from './plain-words';
import './onboarding.css';

type Pairing = Awaited<ReturnType<typeof trpc.onboarding.pairPhone.mutate>>;

const PhoneAccess: Component = () => {
  if (onLanPage()) {
    return (
      <section class="ob-card" aria-labelledby="ob-phones-title">
        <h2 id="ob-phones-title">Phones on your network</h2>
        <p>This phone is paired. Phones are added and removed in Settings on the computer running HearthNet.</p>
      </section>
    );
  }
  const [state, { mutate, refetch }] = createResource(() => trpc.onboarding.phoneAccess.query());
  const [pairing, setPairing] = createSignal<Pairing | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<PlainError | null>(null);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (enabled: boolean) =>
    run(async () => {
      mutate(await trpc.onboarding.setPhoneAccess.mutate({ enabled }));
      if (!enabled) setPairing(null);
    });
  const pair = () =>
    run(async () => {
      setPairing(await trpc.onboarding.pairPhone.mutate());
    });
  const forget = (id: string) =>
    run(async () => {
      mutate(await trpc.onboarding.forgetPhone.mutate({ id }));
    });

  return (
    <section class="ob-card" aria-labelledby="ob-phones-title">
      <h2 id="ob-phones-title">Phones on your network</h2>
      <p>
        Let phones on your home Wi-Fi use HearthNet through this computer. Each phone is paired once and can be removed
        any time.
      </p>
      <Show
        when={state()}
        fallback={<p class="ob-progress">{state.error ? 'Could not read the phone settings.' : 'Loading…'}</p>}
      >
        {(s) => (
          <>
            <label class="ob-switch">
              <input
                type="checkbox"
                checked={s().enabled}
                disabled={busy()}
                onChange={(e) => void toggle(e.currentTarget.checked)}
              />
              Phones on this network can use HearthNet
            </label>
            <Show when={s().enabled}>
              <Show
                when={pairing()}
                fallback={
                  <button type="button" class="ob-button" disabled={busy()} onClick={() => void pair()}>
                    Pair a phone
                  </button>
                }
              >
                {(p) => (
                  <div class="ob-pairing">
                    <img
                      class="ob-qr"
                      src={`data:image/png;base64,${p().qr_png_base64}`}
                      alt="QR code to pair a phone"
                    />
                    <p class="ob-note">Scan this with the phone's camera. It works once, for 10 minutes.</p>
                    <label for="ob-pair-link">Or open this address on the phone</label>
                    <input
                      id="ob-pair-link"
                      class="ob-link-text"
                      readOnly
                      value={p().url}
                      onFocus={(e) => e.currentTarget.select()}
                    />
                    <button
                      type="button"
                      class="ob-button ob-secondary"
                      onClick={() => {
                        setPairing(null);
                        void refetch();
                      }}
                    >
                      Done
                    </button>
                  </div>
                )}
              </Show>
              <h3>Paired phones</h3>
              <ul class="ob-phones">
                <For
                  each={s().phones}
                  fallback={
                    <li class="ob-note">No phones yet. Press "Pair a phone" and scan the code with the phone.</li>
                  }
                >
                  {(phone) => (
                    <li>
                      <span>
                        {phone.name}
                        <span class="ob-note">
                          {' '}
                          —{' '}
                          {phone.last_seen_at
                            ? `last used ${new Date(phone.last_seen_at).toLocaleString()}`
                            : 'not used yet'}
                        </span>
                      </span>
                      <button
                        type="button"
                        class="ob-button ob-secondary"
                        disabled={busy()}
                        onClick={() => void forget(phone.id)}
                      >
                        Forget
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
      <Show when={error()}>{(e) => <ErrorPanel error={e()} />}</Show>
    </section>
  );
};

export default PhoneAccess;
