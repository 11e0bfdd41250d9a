/**
 * First launch: "Start a community" or "Join a neighbour" (scan, photo, or link). Default export,
 * no required props: the app shell renders it while the household belongs to no community and
 * passes `onDone` to go on to the app once the household has seen its result.
 */
import { createSignal, Match, onCleanup, onMount, Show, Switch, type Component } from 'solid-js';
import { onDesktopLink } from '../desktop-links';
import { trpc } from '../trpc';
import ErrorPanel from './ErrorPanel';
import InviteNeighbour from './InviteNeighbour';
import JoinNeighbour from './JoinNeighbour';
import { plainError, type PlainError } from './plain-words';
import './onboarding.css';

type Step = 'welcome' | 'start' | 'join' | 'started' | 'joined';
type WhoInvites = 'trusted' | 'everyone';

const Onboarding: Component<{ onDone?: () => void }> = (props) => {
  const [step, setStep] = createSignal<Step>('welcome');
  const [name, setName] = createSignal('');
  const [who, setWho] = createSignal<WhoInvites>('trusted');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<PlainError | null>(null);
  const [community, setCommunity] = createSignal('');
  const done = () => (props.onDone ? props.onDone() : location.reload());
  // Desktop app: a clicked hearthnet:// invite opens "Join a neighbour" and joins with it.
  const [link, setLink] = createSignal<string | null>(null);
  onMount(() =>
    onCleanup(
      onDesktopLink((url) => {
        setLink(url);
        setStep('join');
      }),
    ),
  );

  const start = async (e: Event) => {
    e.preventDefault();
    if (!name().trim() || busy()) return;
    setBusy(true);
    setError(null);
    try {
      const started = await trpc.onboarding.createCommunity.mutate({ name: name().trim(), whoInvites: who() });
      setCommunity(started.name);
      setStep('started');
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="ob">
      <Switch>
        <Match when={step() === 'welcome'}>
          <section class="ob-card" aria-labelledby="ob-welcome-title">
            <h1 id="ob-welcome-title">Welcome to HearthNet</h1>
            <p>
              Share help, things and answers with the households around you — it keeps working when the internet
              doesn't.
            </p>
            <div class="ob-ways">
              <button type="button" class="ob-button ob-big" onClick={() => setStep('join')}>
                Join a neighbour
                <span class="ob-sub">Someone near you already uses HearthNet</span>
              </button>
              <button type="button" class="ob-button ob-big ob-secondary" onClick={() => setStep('start')}>
                Start a community
                <span class="ob-sub">You are the first on your street</span>
              </button>
            </div>
          </section>
        </Match>
        <Match when={step() === 'start'}>
          <form class="ob-card" aria-labelledby="ob-start-title" onSubmit={(e) => void start(e)}>
            <h1 id="ob-start-title">Start a community</h1>
            <label for="ob-name">What is your street or group called?</label>
            <input
              id="ob-name"
              class="ob-input"
              maxLength={128}
              placeholder="Elm Street"
              value={name()}
              onInput={(e) => setName(e.currentTarget.value)}
              required
            />
            <fieldset class="ob-choice">
              <legend>Who can invite new households?</legend>
              <label>
                <input type="radio" name="who" checked={who() === 'trusted'} onChange={() => setWho('trusted')} />
                Only you, and neighbours you later mark as trusted
              </label>
              <label>
                <input type="radio" name="who" checked={who() === 'everyone'} onChange={() => setWho('everyone')} />
                Any household in the community
              </label>
            </fieldset>
            <Show when={error()}>{(e) => <ErrorPanel error={e()} />}</Show>
            <button type="submit" class="ob-button" disabled={busy() || !name().trim()}>
              {busy() ? 'Starting…' : 'Start the community'}
            </button>
            <button type="button" class="ob-link" onClick={() => setStep('welcome')}>
              Back
            </button>
          </form>
        </Match>
        <Match when={step() === 'join'}>
          <JoinNeighbour
            link={link()}
            onBack={() => setStep('welcome')}
            onJoined={(n) => {
              setCommunity(n);
              setStep('joined');
            }}
          />
        </Match>
        <Match when={step() === 'started'}>
          <div class="ob-stack">
            <section class="ob-card ob-success" aria-labelledby="ob-started-title">
              <h1 id="ob-started-title">{community()} is ready</h1>
              <p>Now invite the households around you. Each code lets one household join.</p>
            </section>
            <InviteNeighbour />
            <button type="button" class="ob-button ob-secondary" onClick={done}>
              Continue to HearthNet
            </button>
          </div>
        </Match>
        <Match when={step() === 'joined'}>
          <section class="ob-card ob-success" aria-labelledby="ob-joined-title">
            <h1 id="ob-joined-title">Welcome to {community()}!</h1>
            <p>Your household is now part of the community. Your neighbours will see you in a few seconds.</p>
            <button type="button" class="ob-button" onClick={done}>
              Continue to HearthNet
            </button>
          </section>
        </Match>
      </Switch>
    </main>
  );
};

export default Onboarding;
