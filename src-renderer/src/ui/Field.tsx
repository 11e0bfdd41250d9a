/** Labelled form fields that show a plain-language error under the control, linked for screen readers. */
import { createUniqueId, For, Show, splitProps, type JSX } from 'solid-js';

interface FieldShell {
  readonly label: string;
  /** A short hint under the label ("Up to 120 letters"). */
  readonly hint?: string;
  /** Shown under the field when set; says what is wrong and how to fix it. */
  readonly error?: string | null;
}

function describedBy(hintId: string, errorId: string, p: FieldShell): string | undefined {
  const ids = [p.hint ? hintId : '', p.error ? errorId : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Shell(
  props: FieldShell & { id: string; hintId: string; errorId: string; children: JSX.Element },
): JSX.Element {
  return (
    <div class="field" classList={{ 'field-invalid': !!props.error }}>
      <label for={props.id}>{props.label}</label>
      <Show when={props.hint}>
        <span id={props.hintId} class="hint">
          {props.hint}
        </span>
      </Show>
      {props.children}
      <Show when={props.error}>
        <span id={props.errorId} class="field-error" role="alert">
          {props.error}
        </span>
      </Show>
    </div>
  );
}

export function TextField(props: FieldShell & JSX.InputHTMLAttributes<HTMLInputElement>): JSX.Element {
  const [shell, rest] = splitProps(props, ['label', 'hint', 'error']);
  const id = createUniqueId();
  return (
    <Shell {...shell} id={id} hintId={`${id}-hint`} errorId={`${id}-err`}>
      <input
        id={id}
        {...rest}
        aria-invalid={shell.error ? 'true' : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-err`, shell)}
      />
    </Shell>
  );
}

export function TextArea(props: FieldShell & JSX.TextareaHTMLAttributes<HTMLTextAreaElement>): JSX.Element {
  const [shell, rest] = splitProps(props, ['label', 'hint', 'error']);
  const id = createUniqueId();
  return (
    <Shell {...shell} id={id} hintId={`${id}-hint`} errorId={`${id}-err`}>
      <textarea
        id={id}
        {...rest}
        aria-invalid={shell.error ? 'true' : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-err`, shell)}
      />
    </Shell>
  );
}

export interface Choice {
  readonly value: string;
  readonly label: string;
}

export function SelectField(
  props: FieldShell & { choices: readonly Choice[] } & JSX.SelectHTMLAttributes<HTMLSelectElement>,
): JSX.Element {
  const [shell, own, rest] = splitProps(props, ['label', 'hint', 'error'], ['choices']);
  const id = createUniqueId();
  return (
    <Shell {...shell} id={id} hintId={`${id}-hint`} errorId={`${id}-err`}>
      <select
        id={id}
        {...rest}
        aria-invalid={shell.error ? 'true' : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-err`, shell)}
      >
        <For each={own.choices}>{(c) => <option value={c.value}>{c.label}</option>}</For>
      </select>
    </Shell>
  );
}
