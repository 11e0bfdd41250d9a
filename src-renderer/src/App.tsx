/** The app shell: who we are, which community, who is around, and whether the internet is up. */
import { createEffect, createResource, createSignal, For, Show, type Component } from 'solid-js';
import InviteNeighbour from './onboarding/InviteNeighbour';
import NoAccess from './onboarding/NoAccess';
import Onboarding from './onboarding/Onboarding';
import PhoneAccess from './onboarding/PhoneAccess';
import { trpc } from './trpc';

const MODE_TEXT = {
  online: 'Online',
  degraded: 'Internet is patchy',
  offline: 'Internet is down — the neighbourhood mesh keeps working',
} as const;

export const App: Component = () => {
  const [status, { refetch }] = createResource(() => trpc.status.query());
  const timer = setInterval(() => void refetch(), 5000);
  window.addEventListener('beforeunload', () => clearInterval(timer));
  // First launch (no community): onboarding stays up until the household has seen its result.
  const [onboarding, setOnboarding] = createSignal<boolean | null>(null);
  createEffect(() => {
    const s = status();
    if (s && onboarding() === null) setOnboarding(!s.community);
  });
  const [inviting, setInviting] = createSignal(false);
  // A page without a way in (no token, or an unpaired phone) says how to get in, not a transport error.
  const noAccess = () => {
    const e = status.error as { meta?: { response?: { status?: number } }; data?: { httpStatus?: number } } | undefined;
    return !!e && (e.meta?.response?.status === 401 || e.data?.httpStatus === 401);
  };
  return (
    <Show when={!noAccess()} fallback={<NoAccess />}>
    <Show when={!onboarding()} fallback={<Onboarding onDone={() => setOnboarding(false)} />}>
    <main class="app">
      <Show
        when={status.error ? undefined : status()}
        fallback={
          <p class="muted">
            {status.error
              ? `Cannot reach your HearthNet node (${String((status.error as Error).message ?? status.error)}). Open HearthNet from the link that \`hearthnet run\` prints: it carries this computer's access key.`
              : 'Connecting…'}
          </p>
        }
      >
        {(s) => (
          <>
            <header class={`banner mode-${s().mode}`}>
              <h1>{s().display_name}</h1>
              <span class="mode">{MODE_TEXT[s().mode]}</span>
            </header>
            <section>
              <h2>{s().community ? s().community!.name : 'Not in a community yet'}</h2>
              <p class="muted">Your household id: <code>{s().node_id_short}</code></p>
              <Show when={s().peers.some((p) => p.refuses_us === 'revoked')}>
                <p class="notice">
                  This household was removed from {s().community?.name || 'its community'}: your neighbours no longer answer its calls or share their news with it. If
                  that is a mistake, ask a trusted member to invite you again.
                </p>
              </Show>
            </section>
            <section>
              <h2>Neighbours ({s().peers.length})</h2>
              <ul>
                <For each={s().peers} fallback={<li class="muted">No neighbours found yet.</li>}>
                  {(p) => (
                    <li>
                      {p.display_name} <span class="muted">({p.profile})</span>
                      {p.refuses_us ? <span class="muted"> — does not accept this household</span> : null}
                    </li>
                  )}
                </For>
              </ul>
            </section>
            <section>
              <button type="button" class="ob-button" onClick={() => setInviting(!inviting())}>
                {inviting() ? 'Close the invitation' : 'Invite a neighbour'}
              </button>
              <Show when={inviting()}>
                <InviteNeighbour />
              </Show>
            </section>
            <PhoneAccess />
          </>
        )}
      </Show>
    </main>
    </Show>
    </Show>
  );
};
