/**
 * Market: the street's offers, requests, notices and emergency posts. Filters by kind, search
 * that finds words from their first letters, emergency posts first, live as neighbours post.
 */
import { createMemo, createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import type { MarketCategory, MarketPost } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { Button } from '../ui/Button';
import { plainError } from '../ui/errors';
import { useSubscription } from '../ui/subscription';
import { Empty, ErrorState, Loading } from '../ui/states';
import './market/market.css';
import { PostCard } from './market/PostCard';
import { PostForm } from './market/PostForm';
import { CATEGORIES, CATEGORY_WORDS } from './market/words';

const SEARCH_DELAY_MS = 250;
const LIST_LIMIT = 200;
/** market.search answers at most 100 hits (its schema's maximum). */
const SEARCH_LIMIT = 100;

/** Emergency posts first; otherwise the node's order (newest first). */
function emergencyFirst(posts: readonly MarketPost[]): MarketPost[] {
  return [...posts.filter((p) => p.category === 'emergency'), ...posts.filter((p) => p.category !== 'emergency')];
}

export default function Market(): JSX.Element {
  const [category, setCategory] = createSignal<MarketCategory | null>(null);
  const [query, setQuery] = createSignal('');
  const [searchFor, setSearchFor] = createSignal('');
  const [writing, setWriting] = createSignal(false);
  const [version, setVersion] = createSignal(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const [posts, { refetch, mutate }] = createResource(
    () => ({ category: category() ?? undefined, q: searchFor(), v: version() }),
    async ({ category: c, q }) =>
      q
        ? (await trpc.marketSearch.query({ query: q, category: c, limit: SEARCH_LIMIT })).map((h) => h.post)
        : (await trpc.marketList.query({ category: c, limit: LIST_LIMIT })).posts,
  );
  // Reading a failed resource throws; the error is shown below instead.
  const shown = createMemo(() => (posts.error ? [] : emergencyFirst(posts.latest ?? [])));

  // Live: any post, expiry or take-down anywhere on the street refreshes the list; so does
  // (re)starting the stream, which may have missed some while this tab was hidden.
  const bump = () => setVersion((v) => v + 1);
  const live = useSubscription(
    (h) => trpc.onMarket.subscribe(undefined, { ...h, onStarted: () => (h.onStarted?.(), bump()) }),
    bump,
  );

  const onSearch = (text: string) => {
    setQuery(text);
    clearTimeout(timer);
    timer = setTimeout(() => setSearchFor(text.trim()), SEARCH_DELAY_MS);
  };
  const removeLocally = (id: string) => mutate((list) => list?.filter((p) => p.event_id !== id));

  return (
    <div class="market">
      <Show
        when={writing()}
        fallback={
          <div class="row market-actions">
            <Button variant="primary" onClick={() => setWriting(true)}>
              Post something
            </Button>
            <Show when={live.state() === 'reconnecting'}>
              <span class="muted" role="status">
                Reconnecting; new posts will appear in a moment.
              </span>
            </Show>
          </div>
        }
      >
        <PostForm
          onPosted={() => {
            setWriting(false);
            void refetch();
          }}
          onCancel={() => setWriting(false)}
        />
      </Show>
      <div class="market-filters">
        <div class="field search">
          <label for="market-search">Search the market</label>
          <span id="market-search-hint" class="hint">
            The start of a word is enough: “lad” finds ladder.
          </span>
          <input
            id="market-search"
            type="search"
            aria-describedby="market-search-hint"
            value={query()}
            onInput={(e) => onSearch(e.currentTarget.value)}
            autocomplete="off"
          />
        </div>
        <div class="chips" role="group" aria-label="Show only">
          <button
            type="button"
            class="chip"
            aria-pressed={category() === null ? 'true' : 'false'}
            onClick={() => setCategory(null)}
          >
            Everything
          </button>
          <For each={CATEGORIES}>
            {(c) => (
              <button
                type="button"
                class={`chip chip-${c}`}
                aria-pressed={category() === c ? 'true' : 'false'}
                onClick={() => setCategory(c)}
              >
                {CATEGORY_WORDS[c].plural}
              </button>
            )}
          </For>
        </div>
      </div>
      <Show when={!posts.error} fallback={<ErrorState error={plainError(posts.error)} retry={() => void refetch()} />}>
        <Show when={posts.latest !== undefined} fallback={<Loading label="Reading the market…" />}>
          <Show
            when={shown().length > 0}
            fallback={
              searchFor() ? (
                <Empty title={`Nothing on the market matches “${searchFor()}”.`}>
                  Try a shorter word, or another kind of post.
                </Empty>
              ) : (
                <Empty
                  title="No posts yet."
                  action={
                    <Button variant="primary" onClick={() => setWriting(true)}>
                      Post something
                    </Button>
                  }
                >
                  Offer something you can lend, or ask for something you need.
                </Empty>
              )
            }
          >
            <p class="visually-hidden" role="status">
              {shown().length} post{shown().length === 1 ? '' : 's'}
            </p>
            <ul class="posts">
              <For each={shown()}>{(p) => <PostCard post={p} onTakenDown={removeLocally} />}</For>
            </ul>
          </Show>
        </Show>
      </Show>
    </div>
  );
}
