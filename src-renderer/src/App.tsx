/** The app shell: header, the six tabs, the emergency theme, and the slot for joining a street. */
import {
  createEffect,
  createSignal,
  ErrorBoundary,
  For,
  lazy,
  onCleanup,
  Show,
  Suspense,
  type Component,
  type JSX,
} from 'solid-js';
import { createNodeStatus } from './shell/node-status';
import { EmergencyBanner, Header, RemovedNotice } from './shell/Header';
import { NoCommunity } from './shell/NoCommunity';
import NoAccess from './onboarding/NoAccess';
import { tabFromHash, TABS, type AppTab } from './shell/tab-list';
import { NodeStatusContext } from './ui/node-status';
import { Empty, ErrorState, Loading } from './ui/states';
import { panelDomId, TabBar, tabDomId } from './ui/TabBar';
import { plainError } from './ui/errors';
import { ChatFeedContext, createChatFeed } from './ui/chat-feed';
import { VisibleContext } from './ui/subscription';

export const App: Component = () => {
  const node = createNodeStatus();
  const [active, setActive] = createSignal(tabFromHash(location.hash));
  // Tabs stay mounted once opened, so a half-written message or a streaming answer survives a tab switch.
  const [opened, setOpened] = createSignal<ReadonlySet<string>>(new Set([active()]));
  const select = (id: string) => {
    setActive(id);
    setOpened((s) => new Set(s).add(id));
    if (location.hash !== `#/${id}`) history.replaceState(null, '', `#/${id}`);
  };
  const onHash = () => select(tabFromHash(location.hash));
  window.addEventListener('hashchange', onHash);
  onCleanup(() => window.removeEventListener('hashchange', onHash));

  // First launch (no community): the joining screens stay up until the household has seen their result.
  const [welcoming, setWelcoming] = createSignal<boolean | null>(null);
  createEffect(() => {
    const s = node.status();
    if (s && welcoming() === null) setWelcoming(!s.community);
  });
  createEffect(() => {
    document.documentElement.dataset.theme = node.emergency() ? 'emergency' : 'normal';
  });
  createEffect(() => {
    const s = node.status();
    document.title = s ? `${s.display_name} · HearthNet` : 'HearthNet';
  });

  return (
    <NodeStatusContext.Provider value={node}>
      <Show
        when={node.status()}
        fallback={
          <main class="app app-start">
            <Show when={node.error()} fallback={<Loading label="Connecting to your HearthNet…" />}>
              {(e) => (
                // No way in (no token, or an unpaired phone): the joining screens say how to get in.
                <Show when={e().code !== '401' && e().code !== 'invalid_signature'} fallback={<NoAccess />}>
                  <ErrorState error={{ ...e(), message: unreachableText(e().code) }} retry={() => node.refresh()} />
                </Show>
              )}
            </Show>
          </main>
        }
      >
        {(s) => (
          <div class="app">
            <Header status={s()} />
            <Show when={node.emergency()}>
              <EmergencyBanner />
            </Show>
            <Show when={s().peers.some((p) => p.refuses_us === 'revoked')}>
              <RemovedNotice community={s().community?.name} />
            </Show>
            <Show when={node.error()}>
              <p class="notice" role="status">
                Lost touch with your HearthNet for a moment; trying again. What you see may be a little old.
              </p>
            </Show>
            <Show
              when={s().community && !welcoming()}
              fallback={
                <main class="content">
                  <NoCommunity nodeId={s().node_id} onDone={() => setWelcoming(false)} />
                </main>
              }
            >
              <Tabs active={active} opened={opened} select={select} />
            </Show>
          </div>
        )}
      </Show>
    </NodeStatusContext.Provider>
  );
};

function unreachableText(code: string | null): string {
  if (code === '401' || code === 'invalid_signature') {
    return 'Cannot reach your HearthNet node: this page does not carry its access key. Open HearthNet from the link that `hearthnet run` prints on this computer.';
  }
  return 'Cannot reach your HearthNet node. Check that HearthNet is running on this computer (`hearthnet run`), then try again.';
}

/** The tab bar and the opened tabs; the chat feed lives here so the Chat tab's badge is live from the start. */
function Tabs(props: {
  active: () => string;
  opened: () => ReadonlySet<string>;
  select: (id: string) => void;
}): JSX.Element {
  const chat = createChatFeed();
  return (
    <ChatFeedContext.Provider value={chat}>
      <TabBar
        tabs={TABS}
        active={props.active}
        onSelect={props.select}
        badge={(id) => (id === 'chat' ? chat.totalUnread() : 0)}
      />
      <main class="content">
        <For each={TABS}>
          {(tab) => (
            <Show when={props.opened().has(tab.id)}>
              <section
                role="tabpanel"
                id={panelDomId(tab.id)}
                aria-labelledby={tabDomId(tab.id)}
                hidden={props.active() !== tab.id}
                tabIndex={-1}
                class="panel"
              >
                <p class="purpose">{tab.purpose}</p>
                <VisibleContext.Provider value={() => props.active() === tab.id}>
                  <TabBody tab={tab} />
                </VisibleContext.Provider>
              </section>
            </Show>
          )}
        </For>
      </main>
    </ChatFeedContext.Provider>
  );
}

const loaded = new Map<string, Component>();

function TabBody(props: { tab: AppTab }): JSX.Element {
  const load = props.tab.load;
  if (!load)
    return (
      <Empty title={`${props.tab.label} is not ready in this version yet.`}>
        Nothing is lost; it will appear here after an update.
      </Empty>
    );
  let C = loaded.get(props.tab.id);
  if (!C) {
    C = lazy(load);
    loaded.set(props.tab.id, C);
  }
  const Tab = C;
  return (
    <ErrorBoundary
      fallback={(err, reset) => <ErrorState error={plainError(err)} retry={reset} retryLabel="Open it again" />}
    >
      <Suspense fallback={<Loading label={`Opening ${props.tab.label}…`} />}>
        <Tab />
      </Suspense>
    </ErrorBoundary>
  );
}
