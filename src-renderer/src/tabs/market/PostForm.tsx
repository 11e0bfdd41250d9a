/**
 * The form to post on the market, with plain-language validation before anything is sent and
 * the node's own answer mapped back to the field it is about.
 */
import { createSignal, For, Show, type JSX } from 'solid-js';
import type { MarketCategory, MarketPost } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { plainError, type PlainError } from '../../ui/errors';
import { SelectField, TextArea, TextField } from '../../ui/Field';
import { ErrorState } from '../../ui/states';
import {
  BODY_MAX,
  CATEGORIES,
  CATEGORY_WORDS,
  DEFAULT_DURATION,
  DURATIONS,
  parseTags,
  TAG_MAX,
  TAGS_MAX,
  TITLE_MAX,
} from './words';

type FieldName = 'title' | 'body' | 'tags';

export function PostForm(props: { onPosted: (p: MarketPost) => void; onCancel: () => void }): JSX.Element {
  const [category, setCategory] = createSignal<MarketCategory>('offer');
  const [title, setTitle] = createSignal('');
  const [body, setBody] = createSignal('');
  const [tags, setTags] = createSignal('');
  const [ttl, setTtl] = createSignal(DEFAULT_DURATION);
  const [errors, setErrors] = createSignal<Partial<Record<FieldName, string>>>({});
  const [failure, setFailure] = createSignal<PlainError | null>(null);
  const [busy, setBusy] = createSignal(false);
  let titleInput: HTMLInputElement | undefined;

  const check = (): Partial<Record<FieldName, string>> => {
    const e: Partial<Record<FieldName, string>> = {};
    const t = title().trim();
    if (!t) e.title = 'Give your post a short title, for example "Ladder to lend".';
    else if (t.length > TITLE_MAX)
      e.title = `The title is ${t.length} characters long; keep it to ${TITLE_MAX} and put the rest in the details.`;
    if (body().length > BODY_MAX)
      e.body = `The details are ${body().length} characters long; keep them under ${BODY_MAX}.`;
    const list = parseTags(tags());
    if (list.length > TAGS_MAX) e.tags = `Use at most ${TAGS_MAX} words to help find it (you wrote ${list.length}).`;
    else if (list.some((w) => w.length > TAG_MAX)) e.tags = `Each word must be shorter than ${TAG_MAX} letters.`;
    return e;
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const found = check();
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) {
      if (found.title) titleInput?.focus();
      return;
    }
    setBusy(true);
    try {
      const list = parseTags(tags());
      const post = await trpc.marketPost.mutate({
        category: category(),
        title: title().trim(),
        body: body().trim() || undefined,
        tags: list.length ? list : undefined,
        ttl_seconds: ttl(),
      });
      props.onPosted(post);
    } catch (err) {
      const pe = plainError(err);
      // The node names the field first ("title: must not be empty"); show it there.
      const m = /^(title|body|tags)[.\w]*: (.*)$/.exec(pe.message);
      if (m) setErrors({ [m[1]]: `The node refused this: ${m[2]}.` });
      else setFailure(pe);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card post-form" onSubmit={(ev) => void submit(ev)} novalidate aria-label="New post">
      <h2>Post on the market</h2>
      <fieldset class="category-choice">
        <legend>What kind of post?</legend>
        <For each={CATEGORIES}>
          {(c) => (
            <label class="radio" classList={{ 'radio-emergency': c === 'emergency' }}>
              <input
                type="radio"
                name="category"
                value={c}
                checked={category() === c}
                onChange={() => setCategory(c)}
              />
              <span>
                <strong>{CATEGORY_WORDS[c].label}</strong>
                <span class="muted"> — {CATEGORY_WORDS[c].explain}</span>
              </span>
            </label>
          )}
        </For>
      </fieldset>
      <TextField
        ref={titleInput}
        label="Title"
        name="title"
        hint={`A few words, up to ${TITLE_MAX} letters.`}
        value={title()}
        onInput={(e) => setTitle(e.currentTarget.value)}
        error={errors().title}
        maxLength={TITLE_MAX + 40}
      />
      <TextArea
        label="Details (optional)"
        name="body"
        rows={3}
        value={body()}
        onInput={(e) => setBody(e.currentTarget.value)}
        error={errors().body}
        hint="When, where, how to reach you."
      />
      <div class="form-grid">
        <SelectField
          label="Show it for"
          value={String(ttl())}
          onChange={(e) => setTtl(Number(e.currentTarget.value))}
          choices={DURATIONS.map((d) => ({ value: String(d.seconds), label: d.label }))}
        />
        <TextField
          label="Words to help find it (optional)"
          name="tags"
          hint="Separated by commas: tools, garden"
          value={tags()}
          onInput={(e) => setTags(e.currentTarget.value)}
          error={errors().tags}
        />
      </div>
      <Show when={failure()}>{(f) => <ErrorState error={{ ...f(), message: `Not posted: ${f().message}` }} />}</Show>
      <div class="row">
        <Button type="submit" variant="primary" busy={busy()} busyLabel="Posting…">
          Post it
        </Button>
        <Button variant="quiet" onClick={() => props.onCancel()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
