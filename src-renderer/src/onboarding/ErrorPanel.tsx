/** A failure in plain words: what happened, what to do next, and the code behind a Details disclosure. */
import { Show, type Component } from 'solid-js';
import type { PlainError } from './plain-words';

const ErrorPanel: Component<{ error: PlainError; onRetry?: () => void; retryLabel?: string }> = (props) => (
  <div class="ob-error" role="alert">
    <p class="ob-error-title">{props.error.title}</p>
    <p>{props.error.next}</p>
    <Show when={props.onRetry}>
      <button type="button" class="ob-button" onClick={() => props.onRetry?.()}>
        {props.retryLabel ?? 'Try again'}
      </button>
    </Show>
    <details>
      <summary>Details</summary>
      <p class="ob-detail">
        <code>{props.error.code}</code>: {props.error.detail}
      </p>
    </details>
  </div>
);

export default ErrorPanel;
