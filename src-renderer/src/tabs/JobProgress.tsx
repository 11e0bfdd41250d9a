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
      <Progress label={props.job.label} value={props.job.value} max={props.job.max} />
      <Show when={props.job.cancel}>
        <Button variant="quiet" onClick={() => props.job.cancel?.()}>
          Cancel
        </Button>
      </Show>
    </div>
  );
}
