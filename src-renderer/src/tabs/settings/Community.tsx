/**
 * Settings › Your street: its members (who is trusted, who is reachable), inviting a neighbour,
 * and changing members (make trusted, remove) with the co-signatures the street's rules ask for.
 * Inviting opens the joining screens (onboarding/) when this build has them.
 */
import { createResource, createSignal, For, lazy, Show, Suspense, type Component, type JSX } from 'solid-js';
import type { InviteCreated, MemberRow, SettingsReport } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { plainError, type PlainError } from '../../ui/errors';
import { TextField } from '../../ui/Field';
import { Details, ErrorState, LoadedList, Loading } from '../../ui/states';
import { localDateTime } from '../../ui/time';
import type { CosignRequest } from './cosign-text';
import { ChangeMember, CosignBox } from './Governance';

type AnyModule = Record<string, unknown>;
const onboarding = import.meta.glob<AnyModule>('../../onboarding/Invite*.tsx');

/** The joining engineer's invite flow, if this build has one (default export or an `Invite…` component). */
const InviteFlow: Component | undefined = (() => {
  const load = Object.values(onboarding).at(0); // none when this build has no invite flow
  if (!load) return undefined;
  return lazy(async () => {
    const m = await load();
    const c = (m.default ??
      Object.entries(m).find(([k, v]) => k.startsWith('Invite') && typeof v === 'function')?.[1]) as
      Component | undefined;
    return { default: c ?? (() => <p>Inviting is not available in this version.</p>) };
  });
})();

const LEVEL_WORDS: Record<MemberRow['level'], string> = {
  member: 'member',
  trusted: 'trusted member',
  anchor: 'anchor (looks after the street’s rules)',
};

export function CommunitySection(props: { settings: SettingsReport }): JSX.Element {
  const [members, { refetch }] = createResource(() => trpc.members.query());
  const [changing, setChanging] = createSignal<{ member: MemberRow; request: CosignRequest } | null>(null);
  const [inviting, setInviting] = createSignal(false);
  const self = () => members()?.find((m) => m.is_self);
  const mayChange = () => self()?.level === 'trusted' || self()?.level === 'anchor';
  const start = (member: MemberRow, request: Omit<CosignRequest, 'nodeId' | 'name'>) =>
    setChanging({ member, request: { ...request, nodeId: member.node_id, name: member.name } });

  return (
    <section class="card" aria-labelledby="set-street">
      <h2 id="set-street">Your street{props.settings.community ? `: ${props.settings.community.name}` : ''}</h2>
      <div class="row">
        <Button variant="primary" onClick={() => setInviting((v) => !v)} aria-expanded={inviting()}>
          Invite a neighbour
        </Button>
      </div>
      <Show when={inviting()}>
        {InviteFlow ? (
          <Suspense fallback={<Loading label="Opening the invitation…" />}>
            <InviteFlow />
          </Suspense>
        ) : (
          <InviteByCode />
        )}
      </Show>
      <h3>Households in the street</h3>
      <LoadedList resource={members} retry={() => void refetch()} loading="Reading who is in your street…">
        {(list) => (
          <ul class="member-list">
            <For
              each={list()
                .filter((m) => !m.revoked)
                .sort((a, b) => Number(b.is_self) - Number(a.is_self) || a.name.localeCompare(b.name))}
            >
              {(m) => (
                <li class="member-item">
                  <span>
                    <strong>{m.name}</strong>
                    {m.is_self ? ' (this household)' : ''}{' '}
                    <span class="muted">
                      — {LEVEL_WORDS[m.level]}, {m.is_self || m.online ? 'reachable' : 'not reachable now'}
                    </span>
                  </span>
                  <Show when={mayChange() && !m.is_self}>
                    <span class="row">
                      <Show when={m.level === 'member'}>
                        <Button onClick={() => start(m, { action: 'promote', level: 'trusted' })}>Make trusted</Button>
                      </Show>
                      <Show when={m.level === 'trusted'}>
                        <Button onClick={() => start(m, { action: 'demote', level: 'member' })}>
                          Make ordinary member
                        </Button>
                      </Show>
                      <Button variant="danger" onClick={() => start(m, { action: 'revoke' })}>
                        Remove
                      </Button>
                    </span>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </LoadedList>
      <Show when={changing()}>
        {(c) => (
          <ChangeMember
            member={c().member}
            request={c().request}
            onDone={() => void refetch()}
            onClose={() => setChanging(null)}
          />
        )}
      </Show>
      <Show when={!mayChange() && self()}>
        <p class="muted">
          Only trusted members can change who is in the street. Ask one of them if something needs changing.
        </p>
      </Show>
      <CosignBox />
    </section>
  );
}

/** Without the joining screens: an invitation for a neighbour who told us their household code. */
function InviteByCode(): JSX.Element {
  const [code, setCode] = createSignal('');
  const [codeError, setCodeError] = createSignal<string | null>(null);
  const [invite, setInvite] = createSignal<InviteCreated | null>(null);
  const [error, setError] = createSignal<PlainError | null>(null);
  const [busy, setBusy] = createSignal(false);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!code().trim())
      return setCodeError('Type the household code your neighbour sees in their HearthNet (Settings › Details).');
    setCodeError(null);
    setBusy(true);
    try {
      setInvite(await trpc.createInvite.mutate({ nodeId: code().trim(), level: 'member' }));
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card settings-grid" onSubmit={(e) => void create(e)}>
      <TextField
        label="Your neighbour’s household code"
        hint="They find it in their HearthNet under Settings › Details."
        value={code()}
        onInput={(e) => setCode(e.currentTarget.value)}
        error={codeError()}
      />
      <div class="row">
        <Button type="submit" variant="primary" busy={busy()} busyLabel="Making the invitation…">
          Make an invitation
        </Button>
      </div>
      <Show when={invite()}>
        {(i) => (
          <div>
            <p>
              Let your neighbour scan this code, or send them the text below. It works until{' '}
              {localDateTime(i().expires_at)}.
            </p>
            <img class="invite-qr" src={`data:image/png;base64,${i().qr_png_base64}`} alt="Invitation code to scan" />
            <Details summary="Invitation as text">
              <code class="path">{i().text}</code>
            </Details>
          </div>
        )}
      </Show>
      <Show when={error()}>{(e) => <ErrorState error={e()} />}</Show>
    </form>
  );
}
