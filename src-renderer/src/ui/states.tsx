/** Loading, empty and error states (UI-GUIDE "Every screen"), and the Details disclosure. */
import { Show, type Accessor, type JSX, type ParentComponent, type Resource } from 'solid-js';
import { plainError, type PlainError } from './errors';

/** A calm one-line progress note, announced to screen readers. */
export const Loading: ParentComponent<{ label?: string }> = (props) => (
  <p class="state state-loading" role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true" />
    {props.label ?? props.children ?? 'Loading…'}
  </p>
);

/** What this place is for when it has nothing yet, and what to do first. */
export const Empty: ParentComponent<{ title: string; action?: JSX.Element }> = (props) => (
  <div class="state state-empty">
    <p class="state-title">{props.title}</p>
    <Show when={props.children}>
      <p class="muted">{props.children}</p>
    </Show>
    <Show when={props.action}>{props.action}</Show>
  </div>
);

/** What happened, in plain words, with one next step; the code behind it goes in Details. */
export const ErrorState: ParentComponent<{ error: PlainError; retry?: () => void; retryLabel?: string }> = (props) => (
  <div class="state state-error" role="alert">
    <p>{props.error.message}</p>
    {props.children}
    <div class="row">
      <Show when={props.retry}>
        <button type="button" class="btn" onClick={() => props.retry?.()}>
          {props.retryLabel ?? 'Try again'}
        </button>
      </Show>
      <Show when={props.error.code}>
        <Details>Error code: {props.error.code}</Details>
      </Show>
    </div>
  </div>
);

/** Ids, hashes and codes live here, closed by default. */
export const Details: ParentComponent<{ summary?: string }> = (props) => (
  <details class="details">
    <summary>{props.summary ?? 'Details'}</summary>
    <div class="details-body">{props.children}</div>
  </details>
);

/** A determinate or indeterminate progress bar with what is happening in words. */
export function Progress(props: { label: string; value?: number | null; max?: number }): JSX.Element {
  return (
    <div class="progress" role="status" aria-live="polite">
      <span>{props.label}</span>
      <progress aria-label={props.label} value={props.value ?? undefined} max={props.max ?? 1} />
    </div>
  );
}

/**
 * A list read from the node, in its states: the error with Try again, the loading line, `empty`
 * when there are no items (when given), else the items.
 */
export function LoadedList<T>(props: {
  resource: Resource<T[]>;
  retry: () => void;
  loading: string;
  empty?: JSX.Element;
  children: (list: Accessor<T[]>) => JSX.Element;
}): JSX.Element {
  // `'empty' in props` does not build the empty state (reading the prop would).
  const hasEmpty = 'empty' in props;
  return (
    <Show
      when={!props.resource.error}
      fallback={<ErrorState error={plainError(props.resource.error)} retry={props.retry} />}
    >
      <Show when={props.resource.latest} fallback={<Loading label={props.loading} />}>
        {(list) => (
          <Show when={!hasEmpty || list().length > 0} fallback={props.empty}>
            {props.children(list)}
          </Show>
        )}
      </Show>
    </Show>
  );
}
