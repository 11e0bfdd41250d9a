/**
 * Ask: a question to the street's computers. The model and the document collections are chosen
 * from everything the street offers (the node answers `meshModels`/`meshCollections`); the
 * answer streams in token by token, cites its sources and says which household answered.
 */
import { createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import type { AskEvent, Citation } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { Button } from '../ui/Button';
import { plainError, type PlainError } from '../ui/errors';
import { SelectField, TextArea } from '../ui/Field';
import { useNodeStatus } from '../ui/node-status';
import { Empty, ErrorState, Loading } from '../ui/states';
import './ask/ask.css';
import { Answer, type AnswerPhase, type AnswerState } from './ask/Answer';
import { collectionLabel, modelLabel, whoAnswered } from './ask/words';

const ANY_MODEL = '';

export default function Ask(): JSX.Element {
  const node = useNodeStatus();
  const [models, { refetch: refetchModels }] = createResource(() => trpc.meshModels.query({ kind: 'chat' }));
  const [collections, { refetch: refetchCollections }] = createResource(() => trpc.meshCollections.query());
  const [question, setQuestion] = createSignal('');
  const [questionError, setQuestionError] = createSignal<string | null>(null);
  const [model, setModel] = createSignal(ANY_MODEL);
  const [chosen, setChosen] = createSignal<ReadonlySet<string>>(new Set());
  const [answers, setAnswers] = createSignal<readonly AnswerState[]>([]);
  let counter = 0;
  const running = new Set<() => void>();
  onCleanup(() => running.forEach((stop) => stop()));

  const refresh = () => {
    void refetchModels();
    void refetchCollections();
  };

  const ask = (q: string, m: string, cols: readonly string[]): AnswerState => {
    const [text, setText] = createSignal('');
    const [pieceCount, setPieceCount] = createSignal(0);
    const [sources, setSources] = createSignal<readonly Citation[]>([]);
    const [phase, setPhase] = createSignal<AnswerPhase>('asking');
    const [byline, setByline] = createSignal<string | null>(null);
    const [notice, setNotice] = createSignal<string | null>(null);
    const [error, setError] = createSignal<PlainError | null>(null);
    const onEvent = (e: AskEvent) => {
      if (e.type === 'sources') setSources(e.sources);
      else if (e.type === 'token') {
        setPhase('writing');
        setText((t) => t + e.text);
        setPieceCount((n) => n + 1);
      } else {
        setPhase('done');
        setNotice(e.notice);
        setByline(
          e.answered_by === 'passages'
            ? 'No computer on the street could write an answer; these passages match your question.'
            : `${whoAnswered(e.household, node.status()?.node_id)}${e.model ? ` using ${e.model}` : ''}.`,
        );
      }
    };
    const sub = trpc.ask.subscribe(
      { question: q, model: m || undefined, collections: cols.length ? [...cols] : undefined },
      {
        onData: onEvent,
        onError: (err) => {
          setPhase('failed');
          setError(plainError(err));
          running.delete(stop);
        },
        onComplete: () => {
          if (phase() === 'asking' || phase() === 'writing') setPhase('done');
          running.delete(stop);
        },
      },
    );
    function stop() {
      sub.unsubscribe();
      running.delete(stop);
      if (phase() === 'asking' || phase() === 'writing') setPhase('stopped');
    }
    running.add(stop);
    const state: AnswerState = {
      question: q,
      text,
      pieces: pieceCount,
      sources,
      phase,
      byline,
      notice,
      error,
      stop,
      retry: () => setAnswers((list) => [ask(q, m, cols), ...list.filter((a) => a !== state)]),
    };
    return state;
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const q = question().trim();
    if (!q) {
      setQuestionError('Write a question first, for example "How do I purify water?"');
      return;
    }
    if (q.length > 4000) {
      setQuestionError(`That question is ${q.length} characters long; keep it under 4000.`);
      return;
    }
    setQuestionError(null);
    setAnswers((list) => [ask(q, model(), [...chosen()]), ...list]);
    setQuestion('');
  };

  const toggle = (corpus: string, on: boolean) =>
    setChosen((s) => {
      const next = new Set(s);
      if (on) next.add(corpus);
      else next.delete(corpus);
      return next;
    });

  return (
    <div class="ask">
      <form class="card ask-form" onSubmit={submit} aria-label="Ask a question" novalidate>
        <TextArea
          label="Your question"
          name="question"
          rows={3}
          value={question()}
          onInput={(e) => setQuestion(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
          }}
          error={questionError()}
          hint="Press Ask, or Ctrl+Enter."
        />
        <Show when={!models.error} fallback={<ErrorState error={plainError(models.error)} retry={refresh} />}>
          <Show when={models()} fallback={<Loading label="Looking for computers on the street that can answer…" />}>
            {(list) => (
              <Show
                when={list().length > 0}
                fallback={
                  <Empty title="No computer on the street can answer questions yet.">
                    A household can add a language model in Settings. You can still ask: the answer will be the matching
                    passages from the street's documents.
                  </Empty>
                }
              >
                <SelectField
                  label="Which computer answers"
                  hint="Any model works; bigger ones answer better and more slowly."
                  value={model()}
                  onChange={(e) => setModel(e.currentTarget.value)}
                  choices={[
                    { value: ANY_MODEL, label: 'Let the street choose' },
                    ...list().map((m) => ({ value: m.model, label: modelLabel(m) })),
                  ]}
                />
              </Show>
            )}
          </Show>
        </Show>
        <Show when={(collections() ?? []).length > 0}>
          <fieldset class="collections">
            <legend>Search these documents too</legend>
            <For each={collections()}>
              {(c) => (
                <label class="check">
                  <input
                    type="checkbox"
                    checked={chosen().has(c.corpus)}
                    onChange={(e) => toggle(c.corpus, e.currentTarget.checked)}
                  />
                  <span>{collectionLabel(c)}</span>
                </label>
              )}
            </For>
          </fieldset>
        </Show>
        <div class="row">
          <Button type="submit" variant="primary">
            Ask
          </Button>
          <Button variant="quiet" onClick={refresh}>
            Look again for computers and documents
          </Button>
        </div>
      </form>
      <For each={answers()} fallback={<p class="muted">Your answers appear here, newest first.</p>}>
        {(a) => <Answer state={a} id={`answer-${++counter}`} />}
      </For>
    </div>
  );
}
