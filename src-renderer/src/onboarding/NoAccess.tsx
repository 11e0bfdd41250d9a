/** What a page without a way in says (instead of a raw transport error): how to get in, here or on a phone. */
import { Show, type Component } from 'solid-js';
import { onLanPage, pairingProblem } from './access';
import './onboarding.css';

const NoAccess: Component<{ detail?: string }> = (props) => (
  <main class="ob">
    <section class="ob-card" aria-labelledby="ob-noaccess-title">
      <Show
        when={onLanPage()}
        fallback={
          <>
            <h1 id="ob-noaccess-title">Open HearthNet from this computer</h1>
            <p>This page needs the key your HearthNet gives it. Open the HearthNet app, or run this in a terminal:</p>
            <pre class="ob-command">hearthnet open</pre>
            <p class="ob-note">
              It opens this page with the key. You can bookmark that page: the key stays the same after restarts.
            </p>
          </>
        }
      >
        <h1 id="ob-noaccess-title">This phone is not paired yet</h1>
        <Show when={pairingProblem}>
          <p class="ob-error" role="alert">
            Pairing did not work: {pairingProblem}.
          </p>
        </Show>
        <p>
          On the computer running HearthNet, open Settings, turn on "Phones on your network", press "Pair a phone" and
          scan the code with this phone.
        </p>
      </Show>
      <Show when={props.detail}>
        <details>
          <summary>Details</summary>
          <p class="ob-detail">{props.detail}</p>
        </details>
      </Show>
    </section>
  </main>
);

export default NoAccess;
