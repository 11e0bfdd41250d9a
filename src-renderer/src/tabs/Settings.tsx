/**
 * Settings: the household (name, what this computer does, where its data lives), the street and
 * its members, models, documents, phones, and (in the desktop app) notifications, pause sharing, quit. Each part is its own file under settings/.
 */
import { createResource, Show, type JSX } from 'solid-js';
import { trpc } from '../trpc';
import { plainError } from '../ui/errors';
import { ErrorState, Loading } from '../ui/states';
import { CommunitySection } from './settings/Community';
import { DocumentsSection } from './settings/Documents';
import { HouseholdSection } from './settings/Household';
import { ModelsSection } from './settings/Models';
import { PhonesSection } from './settings/Phones';
import DesktopSettings from '../desktop/DesktopSettings';
import './household-tabs.css';

export default function Settings(): JSX.Element {
  const [settings, { refetch }] = createResource(() => trpc.settings.query());
  return (
    <div class="tab-b settings-tab">
      <Show
        when={!settings.error}
        fallback={<ErrorState error={plainError(settings.error)} retry={() => void refetch()} />}
      >
        <Show when={settings.latest} fallback={<Loading label="Reading your settings…" />}>
          {(s) => (
            <>
              <HouseholdSection settings={s()} changed={() => void refetch()} />
              <CommunitySection settings={s()} />
              <ModelsSection />
              <DocumentsSection />
              <PhonesSection />
              <DesktopSettings />
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
