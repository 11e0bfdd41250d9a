/** The top of every screen: the household's name, its street, and whether the internet is up. */
import type { JSX } from 'solid-js';
import type { StatusReport } from '../../../src-main/runtime/api';
import { Details } from '../ui/states';

const MODE_TEXT = {
  online: 'Internet is up',
  degraded: 'Internet is patchy',
  offline: 'Internet is down',
} as const;

export function Header(props: { status: StatusReport }): JSX.Element {
  const s = () => props.status;
  return (
    <header class="app-header">
      <div class="house">
        <h1>{s().display_name}</h1>
        <span class="street">{s().community?.name ?? 'Not on a street yet'}</span>
      </div>
      <span class={`mode-pill mode-${s().mode}`} role="status">
        <span class="mode-dot" aria-hidden="true" />
        {MODE_TEXT[s().mode]}
      </span>
      <Details summary="About this household">
        <p>
          Household id: <code>{s().node_id_short}</code>
        </p>
        <p>HearthNet version {s().version}</p>
      </Details>
    </header>
  );
}

/** The emergency banner: says, calmly, what still works and what does not (UI-GUIDE). */
export function EmergencyBanner(): JSX.Element {
  return (
    <section class="emergency-banner" aria-label="Internet is down">
      <p class="emergency-title">The internet is down. The street still works.</p>
      <p>
        Chat, the market, shared files and the street's computers for questions keep working between neighbours.
        Anything outside the street, like cloud services, waits until the internet is back.
      </p>
    </section>
  );
}

/** Shown when a neighbour refuses this household because the community removed it. */
export function RemovedNotice(props: { community: string | undefined }): JSX.Element {
  return (
    <p class="notice" role="alert">
      This household was removed from {props.community || 'its community'}: your neighbours no longer answer its calls
      or share their news with it. If that is a mistake, ask a trusted member to invite you again.
    </p>
  );
}
