/**
 * The slot for joining: when this household is not on a street yet, the joining screens from
 * `onboarding/Onboarding.tsx` are shown if that file is in this build; until then a plain panel
 * says how to start or join from the command line.
 */
import { lazy, Show, Suspense, type Component, type JSX } from 'solid-js';
import { Loading } from '../ui/states';

interface OnboardingModule {
  Onboarding?: Component<{ onDone?: () => void }>;
  default?: Component<{ onDone?: () => void }>;
}
// Partial: the file may be absent from this build, and then the glob has no such key.
const found: Partial<Record<string, () => Promise<OnboardingModule>>> = import.meta.glob<OnboardingModule>(
  '../onboarding/Onboarding.tsx',
);
const load = found['../onboarding/Onboarding.tsx'];
const Onboarding = load
  ? lazy(async () => {
      const m = await load();
      const component = m.Onboarding ?? m.default;
      if (!component) throw new Error('onboarding/Onboarding.tsx exports no component');
      return { default: component };
    })
  : undefined;

/** `onDone`: the household has seen the result of starting or joining a street (then the app shows). */
export function NoCommunity(props: { nodeId: string; onDone?: () => void }): JSX.Element {
  return (
    <Show when={Onboarding} fallback={<JoinWithCli nodeId={props.nodeId} />}>
      {(O) => {
        const C = O();
        return (
          <Suspense fallback={<Loading label="Opening the welcome screens…" />}>
            <C onDone={props.onDone} />
          </Suspense>
        );
      }}
    </Show>
  );
}

function JoinWithCli(props: { nodeId: string }): JSX.Element {
  return (
    <section class="card onboarding-fallback">
      <h2>Welcome to HearthNet</h2>
      <p>
        This household is not on a street yet. You can start a new one, or join the street of a neighbour who already
        uses HearthNet.
      </p>
      <h3>Start a street</h3>
      <p>In a terminal on this computer, run:</p>
      <pre>
        <code>hearthnet init --community "Your street's name"</code>
      </pre>
      <h3>Join a neighbour's street</h3>
      <ol>
        <li>
          Give a neighbour on that street this household's id. They run <code>hearthnet invite create --node-id</code>{' '}
          followed by it, and give you the invite text they get.
          <pre>
            <code>{props.nodeId}</code>
          </pre>
        </li>
        <li>
          On this computer, run <code>hearthnet invite redeem "the invite text"</code>.
        </li>
      </ol>
      <p class="muted">This page updates by itself once you are on a street.</p>
    </section>
  );
}
