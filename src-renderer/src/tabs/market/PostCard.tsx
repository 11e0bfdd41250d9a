/** One market post: what, from whom, until when; emergency posts are marked in words and colour; your own can be taken down. */
import { createSignal, For, Show, type JSX } from 'solid-js';
import type { MarketPost } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { plainError, type PlainError } from '../../ui/errors';
import { Details, ErrorState } from '../../ui/states';
import { timeAgo, untilTime } from '../../ui/time';
import { CATEGORY_WORDS } from './words';

export function PostCard(props: { post: MarketPost; onTakenDown: (id: string) => void }): JSX.Element {
  const p = () => props.post;
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<PlainError | null>(null);
  const takeDown = async () => {
    setBusy(true);
    setError(null);
    try {
      await trpc.marketExpire.mutate({ post_id: p().event_id });
      props.onTakenDown(p().event_id);
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  return (
    <li class={`card post post-${p().category}`} data-post-id={p().event_id}>
      <div class="post-head">
        <span class={`category-tag tag-${p().category}`}>{CATEGORY_WORDS[p().category].label}</span>
        <h3 class="post-title">{p().title}</h3>
      </div>
      <Show when={p().body}>
        <p class="post-body">{p().body}</p>
      </Show>
      <Show when={p().tags.length > 0}>
        <ul class="tags" aria-label="Words">
          <For each={p().tags}>{(t) => <li>{t}</li>}</For>
        </ul>
      </Show>
      <p class="post-meta muted">
        {p().mine ? 'Your post' : `From ${p().author_name}`} · posted {timeAgo(p().created_at)} · shown{' '}
        {untilTime(p().expires_at)}
      </p>
      <Show when={p().mine}>
        <Show
          when={confirming()}
          fallback={
            <Button variant="quiet" onClick={() => setConfirming(true)}>
              Take down
            </Button>
          }
        >
          <div class="confirm row" role="group" aria-label="Confirm taking down">
            <span>Take down “{p().title}”? Your neighbours will no longer see it.</span>
            <Button variant="danger" busy={busy()} busyLabel="Taking it down…" onClick={() => void takeDown()}>
              Yes, take it down
            </Button>
            <Button variant="quiet" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </div>
        </Show>
      </Show>
      <Show when={error()}>{(e) => <ErrorState error={{ ...e(), message: `Still up: ${e().message}` }} />}</Show>
      <Details>
        Post id: <code>{p().event_id}</code>
      </Details>
    </li>
  );
}
