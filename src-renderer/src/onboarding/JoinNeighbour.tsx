/**
 * "Join a neighbour": read the code they show (camera, a photo of it, or the pasted link), then
 * this computer asks theirs for an invite and joins. One step for the household.
 */
import { createEffect, createSignal, Match, on, Show, Switch, type Component } from 'solid-js';
import { trpc } from '../trpc';
import CameraScan, { cameraAvailable } from './CameraScan';
import ErrorPanel from './ErrorPanel';
import { plainError, type PlainError } from './plain-words';
import { decodeQrFromFile } from './qr-decode';

type State =
  | { kind: 'choose' }
  | { kind: 'camera' }
  | { kind: 'reading' }
  | { kind: 'joining' }
  | { kind: 'failed'; error: PlainError };

const JoinNeighbour: Component<{
  onJoined: (communityName: string) => void;
  onBack: () => void;
  link?: string | null;
}> = (props) => {
  const [state, setState] = createSignal<State>({ kind: 'choose' });
  const [pasted, setPasted] = createSignal('');

  const join = async (text: string) => {
    setState({ kind: 'joining' });
    try {
      const joined = await trpc.onboarding.join.mutate({ text: text.trim() });
      props.onJoined(joined.name);
    } catch (err) {
      setState({ kind: 'failed', error: plainError(err) });
    }
  };

  // A hearthnet:// link the desktop app was opened with (desktop-links.ts): clicking it was the household's choice.
  createEffect(
    on(
      () => props.link,
      (link) => {
        if (link) {
          setPasted(link);
          void join(link);
        }
      },
    ),
  );

  const openImage = async (file: File | undefined) => {
    if (!file) return;
    setState({ kind: 'reading' });
    const text = await decodeQrFromFile(file).catch(() => null);
    if (!text) {
      setState({
        kind: 'failed',
        error: {
          title: 'No code found in that picture.',
          next: 'Take a sharper photo of the whole code, or paste the link instead. Nothing was changed.',
          code: 'no_qr_code',
          detail: file.name,
        },
      });
      return;
    }
    await join(text);
  };

  return (
    <section class="ob-card" aria-labelledby="ob-join-title">
      <h2 id="ob-join-title">Join a neighbour</h2>
      <p>Ask a neighbour who already uses HearthNet to open "Invite a neighbour". Then read their code here:</p>
      <Switch>
        <Match when={state().kind === 'camera'}>
          <CameraScan onCode={(t) => void join(t)} onStop={() => setState({ kind: 'choose' })} />
        </Match>
        <Match when={state().kind === 'reading'}>
          <p class="ob-progress" role="status">
            Reading the code in your picture…
          </p>
        </Match>
        <Match when={state().kind === 'joining'}>
          <p class="ob-progress" role="status">
            Contacting your neighbour's computer and joining…
          </p>
        </Match>
        <Match when={state().kind === 'choose' || state().kind === 'failed'}>
          <Show when={state().kind === 'failed' ? (state() as { error: PlainError }).error : null}>
            {(e) => <ErrorPanel error={e()} />}
          </Show>
          <div class="ob-ways">
            <Show when={cameraAvailable()}>
              <button type="button" class="ob-button" onClick={() => setState({ kind: 'camera' })}>
                Scan with the camera
              </button>
            </Show>
            <label class="ob-button ob-file">
              Open a photo of the code
              <input
                type="file"
                accept="image/*"
                capture="environment"
                class="ob-hidden-input"
                aria-label="Open a photo of the code"
                onChange={(e) => void openImage(e.currentTarget.files?.[0])}
              />
            </label>
          </div>
          <form
            class="ob-paste"
            onSubmit={(e) => {
              e.preventDefault();
              if (pasted().trim()) void join(pasted());
            }}
          >
            <label for="ob-paste-input">Or paste the link your neighbour sent</label>
            <textarea
              id="ob-paste-input"
              rows={3}
              placeholder="hearthnet://join/…"
              value={pasted()}
              onInput={(e) => setPasted(e.currentTarget.value)}
            />
            <button type="submit" class="ob-button" disabled={!pasted().trim()}>
              Join
            </button>
          </form>
        </Match>
      </Switch>
      <button type="button" class="ob-link" onClick={() => props.onBack()}>
        Back
      </button>
    </section>
  );
};

export default JoinNeighbour;
