/** A long piece of work in progress: what is happening in words, how far it is, and a Cancel. */
import { Show, type JSX } from 'solid-js';
import { Button } from '../ui/Button';
import { Progress } from '../ui/states';

export interface Job {
  readonly label: string;
  /** null while the amount is unknown (an indeterminate bar). */
  readonly value: number | null;
  readonly max: number;
  readonly cancel?: () => void;
}

export function JobProgress(props: { job: Job }): JSX.Element {
  return (
    <div class="job">
      <Show
        when={props.job.value !== null}
        fallback={
          // Indeterminate: a <progress> without a value (setting value to undefined throws in Chromium).
          <div class="progress" role="status" aria-live="polite">
            <span>{props.job.label}</span>
            <progress aria-label={props.job.label} />
          </div>
        }
      >
        <Progress label={props.job.label} value={props.job.value} max={props.job.max} />
      </Show>
      <Show when={props.job.cancel}>
        <Button variant="quiet" onClick={() => props.job.cancel?.()}>
          Cancel
        </Button>
      </Show>
    </div>
  );
}
