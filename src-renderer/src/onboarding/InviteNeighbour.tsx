/**
 * "Invite a neighbour": a QR code and link for a one-scan join code (single use, 15 minutes). The
 * neighbour scans it in their HearthNet; the two computers do the rest. Default export, no props.
 */
import { createResource, createSignal, Show, type Component } from 'solid-js';
import { trpc } from '../trpc';
import { onLanPage } from './access';
import ErrorPanel from './ErrorPanel';
import { plainError } from './plain-words';

const CODE_MINUTES = 15;

function untilText(wallClock: string): string {
  return new Date(wallClock).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

const InviteNeighbour: Component = () => {
  // Phones use the app; inviting (like pairing) is done on the computer running HearthNet.
  if (onLanPage()) {
    return (
      <section class="ob-card ob-invite" aria-labelledby="ob-invite-title">
        <h2 id="ob-invite-title">Invite a neighbour</h2>
        <p>
          Invitations are made on the computer running HearthNet: open "Invite a neighbour" there and let your neighbour
          scan the code.
        </p>
      </section>
    );
  }
  const [round, setRound] = createSignal(1);
  const [code, { refetch }] = createResource(round, () =>
    trpc.onboarding.createJoinCode.mutate({ level: 'member', ttlSeconds: CODE_MINUTES * 60 }),
  );
  const [copied, setCopied] = createSignal(false);

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section class="ob-card ob-invite" aria-labelledby="ob-invite-title">
      <h2 id="ob-invite-title">Invite a neighbour</h2>
      <p>Your neighbour opens HearthNet, chooses "Join a neighbour" and scans this code. That's all.</p>
      <Show
        when={!code.loading || code()}
        fallback={
          <p class="ob-progress" role="status">
            Making a code…
          </p>
        }
      >
        <Show
          when={!code.error}
          fallback={<ErrorPanel error={plainError(code.error)} onRetry={() => void refetch()} />}
        >
          <Show when={code()}>
            {(c) => (
              <>
                <img
                  class="ob-qr"
                  src={`data:image/png;base64,${c().qr_png_base64}`}
                  alt={`QR code to join ${c().community_name}`}
                />
                <p class="ob-note">
                  Works once, until {untilText(c().expires_at)}. Keep HearthNet open until your neighbour has joined.
                </p>
                <label for="ob-invite-link">Or send them this link</label>
                <div class="ob-linkrow">
                  <input
                    id="ob-invite-link"
                    class="ob-link-text"
                    readOnly
                    value={c().text}
                    onFocus={(e) => e.currentTarget.select()}
                  />
                  <button type="button" class="ob-button ob-secondary" onClick={() => void copy(c().text)}>
                    {copied() ? 'Copied' : 'Copy link'}
                  </button>
                </div>
                <button
                  type="button"
                  class="ob-button ob-secondary"
                  onClick={() => {
                    setCopied(false);
                    setRound(round() + 1);
                  }}
                >
                  Make a new code
                </button>
              </>
            )}
          </Show>
        </Show>
      </Show>
    </section>
  );
};

export default InviteNeighbour;
