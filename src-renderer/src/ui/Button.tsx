/** Buttons: one obvious primary action per screen, quiet secondary ones; at least 44 px tall. */
import { splitProps, type JSX, type ParentComponent } from 'solid-js';

export type ButtonProps = JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
  readonly variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
  /** While true the button is disabled and says what it is doing. */
  readonly busy?: boolean;
  readonly busyLabel?: string;
};

export const Button: ParentComponent<ButtonProps> = (props) => {
  const [own, rest] = splitProps(props, ['variant', 'busy', 'busyLabel', 'children', 'class', 'type', 'disabled']);
  return (
    <button
      {...rest}
      type={own.type ?? 'button'}
      class={`btn btn-${own.variant ?? 'secondary'} ${own.class ?? ''}`}
      disabled={own.disabled || own.busy}
      aria-busy={own.busy ? 'true' : undefined}
    >
      {own.busy ? (own.busyLabel ?? own.children) : own.children}
    </button>
  );
};
