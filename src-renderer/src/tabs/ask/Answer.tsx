/**
 * One question and its answer as it streams in: the text grows token by token, `[n]` markers
 * become buttons that open the cited passage, and the sources list shows what each says.
 */
import { For, Index, Show, type Accessor, type JSX } from 'solid-js';
import type { Citation } from '../../../../src-main/runtime/api';
import { ErrorState, Loading } from '../../ui/states';
import type { PlainError } from '../../ui/errors';

/** 'asking' until the first piece arrives, 'writing' while it streams, then 'done', 'stopped' or 'failed'. */
export type AnswerPhase = 'asking' | 'writing' | 'done' | 'stopped' | 'failed';

export interface AnswerState {
  readonly question: string;
  readonly text: Accessor<string>;
  /** How many streamed pieces arrived (also a data attribute, so a test can see the streaming). */
  readonly pieces: Accessor<number>;
  readonly sources: Accessor<readonly Citation[]>;
  readonly phase: Accessor<AnswerPhase>;
  readonly byline: Accessor<string | null>;
  readonly notice: Accessor<string | null>;
  readonly error: Accessor<PlainError | null>;
  readonly stop: () => void;
  readonly retry: () => void;
}

/** Split an answer into text and `[n]` citation markers. */
function pieces(text: string): Array<{ text: string } | { n: number }> {
  const out: Array<{ text: string } | { n: number }> = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d{1,2})\]/g)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ n: Number(m[1]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

export function Answer(props: { state: AnswerState; id: string }): JSX.Element {
  const s = props.state;
  const sourceId = (n: number) => `${props.id}-source-${n}`;
  const openSource = (n: number) => {
    const el = document.getElementById(sourceId(n)) as HTMLDetailsElement | null;
    if (!el) return;
    el.open = true;
    el.scrollIntoView({ block: 'nearest' });
    el.querySelector('summary')?.focus();
  };
  const hasSource = (n: number) => s.sources().some((c) => c.n === n);
  const piece = (v: { text: string } | { n: number }): JSX.Element => {
    if ('text' in v) return v.text;
    return hasSource(v.n) ? (
      <button type="button" class="cite" onClick={() => openSource(v.n)} aria-label={`Open source ${v.n}`}>
        [{v.n}]
      </button>
    ) : (
      `[${v.n}]`
    );
  };
  return (
    <article
      class="card answer"
      data-phase={s.phase()}
      data-pieces={s.pieces()}
      aria-busy={s.phase() === 'asking' || s.phase() === 'writing' ? 'true' : 'false'}
    >
      <h3 class="question">{s.question}</h3>
      <Show when={s.phase() === 'asking'}>
        <Loading label="Asking the street's computers…" />
      </Show>
      <Show when={s.notice()}>
        <p class="muted answer-notice">{s.notice()}</p>
      </Show>
      <Show when={s.text()}>
        <p class="answer-text">
          <Index each={pieces(s.text())}>{(p) => <>{piece(p())}</>}</Index>
          <Show when={s.phase() === 'writing'}>
            <span class="cursor" aria-hidden="true">
              ▍
            </span>
          </Show>
        </p>
      </Show>
      <div class="row answer-foot" role="status">
        <Show when={s.phase() === 'writing'}>
          <span class="muted">Writing the answer…</span>
        </Show>
        <Show when={s.byline()}>
          <span class="byline">{s.byline()}</span>
        </Show>
        <Show when={s.phase() === 'stopped'}>
          <span class="muted">You stopped this answer.</span>
        </Show>
        <span class="spacer" />
        <Show when={s.phase() === 'asking' || s.phase() === 'writing'}>
          <button type="button" class="btn btn-quiet" onClick={() => s.stop()}>
            Stop
          </button>
        </Show>
      </div>
      <Show when={s.error()}>{(e) => <ErrorState error={e()} retry={s.retry} retryLabel="Ask again" />}</Show>
      <Show when={s.sources().length > 0}>
        <section class="sources" aria-label="Sources">
          <h4>Sources</h4>
          <For each={s.sources()}>
            {(c) => (
              <details class="source" id={sourceId(c.n)}>
                <summary>
                  [{c.n}] {c.title || 'A document'}
                  <Show when={c.page !== null}>, page {c.page}</Show>
                  <span class="muted"> · {c.corpus}</span>
                </summary>
                <blockquote class="passage">{c.text}</blockquote>
              </details>
            )}
          </For>
        </section>
      </Show>
    </article>
  );
}
