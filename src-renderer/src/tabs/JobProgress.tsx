/**
 * A long piece of work in progress: what is happening in words, how far it is, and a Cancel; and the
 * state every section that runs such work keeps (one job at a time, then a note or a plain error).
 */
import { createSignal, Show, type Accessor, type JSX, type Setter } from 'solid-js';
import { Button } from '../ui/Button';
import { plainError, type PlainError } from '../ui/errors';
import { ErrorState, Progress } from '../ui/states';
import { isCancel } from './op-stream';

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

/** A section's work: the job in progress (if any), the last success note and the last error. */
export interface JobRunner {
  readonly job: Accessor<Job | null>;
  readonly note: Accessor<string | null>;
  readonly error: Accessor<PlainError | null>;
  readonly setJob: Setter<Job | null>;
  readonly setNote: Setter<string | null>;
  readonly setError: Setter<PlainError | null>;
  /**
   * Runs `what` (which reports its progress through `setJob`): clears the last note and error, shows
   * what it returns as the note, then calls `after`; a failure other than a cancel becomes the error.
   * The progress line goes away either way.
   */
  readonly run: (what: () => Promise<string>) => Promise<void>;
}

export function createJobRunner(after: () => void = () => undefined): JobRunner {
  const [job, setJob] = createSignal<Job | null>(null);
  const [note, setNote] = createSignal<string | null>(null);
  const [error, setError] = createSignal<PlainError | null>(null);
  const run = async (what: () => Promise<string>) => {
    setError(null);
    setNote(null);
    try {
      setNote(await what());
      after();
    } catch (err) {
      if (!isCancel(err)) setError(plainError(err));
    } finally {
      setJob(null);
    }
  };
  return { job, note, error, setJob, setNote, setError, run };
}

/** The progress line, note and error of a runner, where a section shows them. */
export function JobStatus(props: { jobs: JobRunner; retry?: () => void }): JSX.Element {
  return (
    <>
      <Show when={props.jobs.job()}>{(j) => <JobProgress job={j()} />}</Show>
      <Show when={props.jobs.note()}>
        <p role="status" class="ok-text">
          ✓ {props.jobs.note()}
        </p>
      </Show>
      <Show when={props.jobs.error()}>{(e) => <ErrorState error={e()} retry={props.retry} />}</Show>
    </>
  );
}
