/** Settings › Your household: its name, its profile in plain words, and where its data lives. */
import { createSignal, For, Show, type JSX } from 'solid-js';
import type { SettingsReport } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { plainError, type PlainError } from '../../ui/errors';
import { TextField } from '../../ui/Field';
import { useNodeStatus } from '../../ui/node-status';
import { Details, ErrorState } from '../../ui/states';

export function HouseholdSection(props: { settings: SettingsReport; changed: () => void }): JSX.Element {
  const node = useNodeStatus();
  const [name, setName] = createSignal(props.settings.display_name);
  const [nameError, setNameError] = createSignal<string | null>(null);
  const [error, setError] = createSignal<PlainError | null>(null);
  const [note, setNote] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const save = async (change: { display_name?: string; profile?: SettingsReport['profile'] }) => {
    setError(null);
    setNote(null);
    if (change.display_name !== undefined) {
      const n = change.display_name.trim();
      if (!n)
        return setNameError('Give your household a name your neighbours will recognise, for example "The Millers".');
      if (n.length > 64) return setNameError('That name is too long: keep it under 64 letters.');
      change = { display_name: n };
    }
    setNameError(null);
    setBusy(true);
    try {
      const r = await trpc.settingsUpdate.mutate(change);
      setNote(r.restart_needed ? 'Saved. It takes effect the next time HearthNet starts.' : 'Saved.');
      props.changed();
      node.refresh();
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="set-household">
      <h2 id="set-household">Your household</h2>
      <form
        class="settings-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ display_name: name() });
        }}
      >
        <TextField
          label="Household name"
          hint="What your neighbours see, for example “The Millers” or “Flat 3”."
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          error={nameError()}
          maxLength={64}
        />
        <div class="row">
          <Button
            type="submit"
            variant="primary"
            busy={busy()}
            busyLabel="Saving…"
            disabled={name().trim() === props.settings.display_name}
          >
            Save name
          </Button>
        </div>
      </form>
      <h3>What this computer does for the street</h3>
      <p>{props.settings.profile_explained}</p>
      <fieldset class="settings-grid">
        <legend>Choose what this computer does</legend>
        <For each={props.settings.profiles}>
          {(p) => (
            <label class="choice">
              <input
                type="radio"
                name="profile"
                value={p.profile}
                checked={p.profile === props.settings.profile}
                disabled={busy()}
                onChange={() => void save({ profile: p.profile })}
              />
              <span>{p.explained}</span>
            </label>
          )}
        </For>
      </fieldset>
      <Show when={note()}>
        <p role="status" class="ok-text">
          ✓ {note()}
        </p>
      </Show>
      <Show when={error()}>{(e) => <ErrorState error={e()} />}</Show>
      <h3>Where your data lives</h3>
      <p>
        Everything HearthNet keeps for your household is in this folder on this computer:{' '}
        <span class="path">{props.settings.data_dir}</span>. Back it up with the rest of your files.
      </p>
      <p>
        Models are in <span class="path">{props.settings.models_dir}</span>.
      </p>
      <Details>
        Household id: <code>{props.settings.node_id_short}</code>
        <Show when={props.settings.config_file}>
          {' '}
          · settings file <code>{props.settings.config_file}</code>
        </Show>{' '}
        · local address {props.settings.api.host}:{props.settings.api.port}
      </Details>
    </section>
  );
}
