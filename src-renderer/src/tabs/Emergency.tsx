/**
 * Emergency: is the internet there, what the checks saw, which households this one can reach,
 * the street's emergency posts, and what still works without the internet — in plain words.
 * Everything comes live from the node's `onEmergency` subscription; the street graph sits here
 * too, because "who can I still reach" is the question of this tab.
 */
import { createSignal, For, lazy, Show, Suspense, type JSX } from 'solid-js';
import type { EmergencyReport } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { Empty, ErrorState, Loading } from '../ui/states';
import { useSubscription } from '../ui/subscription';
import { localDateTime, timeAgo, untilTime } from '../ui/time';
import { stillWorksWords, probeName } from './emergency-words';
import './household-tabs.css';

const StreetTopology = lazy(() => import('../topology/StreetTopology'));

const HEADLINE: Record<EmergencyReport['mode'], { title: string; text: string }> = {
  online: {
    title: 'The internet is working.',
    text: 'If it goes down, your street keeps working: messages, the noticeboard, files and the street’s own models.',
  },
  degraded: {
    title: 'The internet is patchy.',
    text: 'Some checks fail. Everything on your street still works; things outside it may be slow or missing.',
  },
  offline: {
    title: 'The internet is down.',
    text: 'You can still write to neighbours, post on the noticeboard, share files and ask the street’s models.',
  },
};

export default function Emergency(): JSX.Element {
  const [report, setReport] = createSignal<EmergencyReport>();
  const live = useSubscription<EmergencyReport>((h) => trpc.onEmergency.subscribe(undefined, h), setReport);
  return (
    <div class="tab-b emergency-tab">
      <Show
        when={report()}
        fallback={
          <Show when={live.error()} fallback={<Loading label="Checking the internet and your neighbours…" />}>
            {(e) => <ErrorState error={e()} />}
          </Show>
        }
      >
        {(r) => (
          <>
            <section class={`card mode-card mode-card-${r().mode}`} aria-labelledby="em-mode">
              <h2 id="em-mode">{HEADLINE[r().mode].title}</h2>
              <p>{HEADLINE[r().mode].text}</p>
              <p class="muted">
                Since {localDateTime(r().since)}. Last checked {timeAgo(r().last_probe)}.
              </p>
            </section>

            <section class="card" aria-labelledby="em-works">
              <h2 id="em-works">What still works without the internet</h2>
              <ul class="plain-list">
                <For each={stillWorksWords(r().still_works)}>{(line) => <li>✓ {line}</li>}</For>
              </ul>
              <p class="muted">Without the internet: cloud models and anything outside your street do not work.</p>
            </section>

            <section class="card" aria-labelledby="em-reach">
              <h2 id="em-reach">Households you can reach ({r().reachable.length})</h2>
              <Show
                when={r().reachable.length > 0}
                fallback={
                  <Empty title="No neighbour is reachable right now.">
                    When a neighbour’s computer comes back on, it appears here by itself.
                  </Empty>
                }
              >
                <ul class="plain-list">
                  <For each={r().reachable}>
                    {(h) => (
                      <li>
                        <strong>{h.name}</strong>{' '}
                        <span class="muted">
                          — heard from{' '}
                          {h.last_seen_s_ago < 60 ? 'just now' : timeAgo(Date.now() - h.last_seen_s_ago * 1000)}
                          {h.mode === 'offline' ? '; their internet is down too' : ''}
                        </span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <Suspense fallback={<Loading label="Drawing your street…" />}>
                <StreetTopology />
              </Suspense>
            </section>

            <section class="card" aria-labelledby="em-posts">
              <h2 id="em-posts">Emergency posts</h2>
              <Show
                when={r().emergency_posts.length > 0}
                fallback={
                  <Empty
                    title="No emergency posts."
                    action={
                      <a class="btn" href="#/market">
                        Post on the noticeboard
                      </a>
                    }
                  >
                    If you need help or can offer it (water, power, a warm room), post it on the noticeboard as an
                    emergency.
                  </Empty>
                }
              >
                <ul class="post-list">
                  <For each={r().emergency_posts}>
                    {(p) => (
                      <li class="post-emergency">
                        <h3>{p.title}</h3>
                        <Show when={p.body}>
                          <p>{p.body}</p>
                        </Show>
                        <p class="muted">
                          From {p.author_name}, {timeAgo(p.created_at)}; {untilTime(p.expires_at)}.
                        </p>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </section>

            <section class="card" aria-labelledby="em-probes">
              <h2 id="em-probes">What HearthNet checked</h2>
              <p class="muted">HearthNet asks a few places on the internet now and then whether they answer.</p>
              <Show
                when={r().probes.length > 0}
                fallback={<p>No checks are set up on this computer, so HearthNet assumes the internet works.</p>}
              >
                <ul class="plain-list">
                  <For each={r().probes}>
                    {(p) => (
                      <li>
                        {probeName(p.target)}: <strong>{p.ok ? 'answered' : 'did not answer'}</strong>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}
