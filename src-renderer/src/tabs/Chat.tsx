/**
 * Chat: conversations with the neighbours (unread counts, who is online), and the open
 * conversation. Two columns on a wide screen; on a phone the list or the conversation.
 */
import { createMemo, createSignal, For, onCleanup, Show, useContext, type JSX } from 'solid-js';
import type { Conversation } from '../../../src-main/runtime/api';
import { useChatFeed } from '../ui/chat-feed';
import { SelectField } from '../ui/Field';
import { useNodeStatus } from '../ui/node-status';
import { Empty, ErrorState, Loading } from '../ui/states';
import { VisibleContext } from '../ui/subscription';
import { timeAgo } from '../ui/time';
import './chat/chat.css';
import { Thread } from './chat/Thread';

function emptyConversation(peer: string, name: string, online: boolean): Conversation {
  return { peer, peer_name: name, unread: 0, last: null, online };
}

export default function Chat(): JSX.Element {
  const feed = useChatFeed();
  const node = useNodeStatus();
  const [open, setOpen] = createSignal<string | null>(null);
  const phone = window.matchMedia('(max-width: 700px)');
  const [narrow, setNarrow] = createSignal(phone.matches);
  const onWidth = (e: MediaQueryListEvent) => setNarrow(e.matches);
  phone.addEventListener('change', onWidth);
  onCleanup(() => phone.removeEventListener('change', onWidth));
  // Reactive: opening the Chat tab on a conversation with unread messages marks them read.
  const panelVisible = useContext(VisibleContext);

  /** Neighbours we have not written with yet, for "Write to…". */
  const others = createMemo(() => {
    const known = new Set((feed.conversations() ?? []).map((c) => c.peer));
    return (node.status()?.peers ?? []).filter((p) => !known.has(p.node_id) && !p.refuses_us);
  });
  const current = createMemo<Conversation | null>(() => {
    const id = open();
    if (!id) return null;
    const c = (feed.conversations() ?? []).find((x) => x.peer === id);
    if (c) return c;
    const p = node.status()?.peers.find((x) => x.node_id === id);
    return p ? emptyConversation(p.node_id, p.display_name, p.last_seen_s_ago < 60) : null;
  });

  const list = () => (
    <nav class="conversations" aria-label="Conversations">
      <Show when={others().length > 0}>
        <SelectField
          label="Write to a neighbour"
          value=""
          onChange={(e) => e.currentTarget.value && setOpen(e.currentTarget.value)}
          choices={[
            { value: '', label: 'Choose a household…' },
            ...others().map((p) => ({ value: p.node_id, label: p.display_name })),
          ]}
        />
      </Show>
      <Show
        when={!feed.error() || feed.conversations()}
        fallback={<Show when={feed.error()}>{(err) => <ErrorState error={err()} retry={() => feed.reload()} />}</Show>}
      >
        <Show when={feed.conversations()} fallback={<Loading label="Loading your conversations…" />}>
          {(convs) => (
            <Show
              when={convs().length > 0}
              fallback={
                <Empty title="No conversations yet.">
                  Choose a neighbour above to write the first message. It reaches them even when the internet is down.
                </Empty>
              }
            >
              <ul class="conversation-list">
                <For each={convs()}>
                  {(c) => (
                    <li>
                      <button
                        type="button"
                        class="conversation"
                        aria-current={open() === c.peer ? 'true' : undefined}
                        onClick={() => setOpen(c.peer)}
                      >
                        <span class="conversation-name">
                          {c.peer_name}
                          <span class="presence-dot" classList={{ online: c.online }} aria-hidden="true" />
                          <span class="visually-hidden">{c.online ? ', online' : ', not online'}</span>
                        </span>
                        <Show when={c.unread > 0}>
                          <span class="badge">
                            {c.unread}
                            <span class="visually-hidden"> unread</span>
                          </span>
                        </Show>
                        <Show when={c.last}>
                          {(last) => (
                            <span class="conversation-last">
                              {last().direction === 'out' ? 'You: ' : ''}
                              {last().body.slice(0, 80)}
                              <span class="muted"> · {timeAgo(last().created_at)}</span>
                            </span>
                          )}
                        </Show>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          )}
        </Show>
      </Show>
    </nav>
  );

  return (
    <div class="chat" classList={{ 'chat-narrow': narrow() }}>
      <Show when={!narrow() || !current()}>{list()}</Show>
      <Show
        when={current() ? open() : null}
        keyed
        fallback={
          <Show when={!narrow()}>
            <p class="muted thread-placeholder">Choose a conversation to read it here.</p>
          </Show>
        }
      >
        {(_peer: string) => (
          <Show when={current()}>
            {(conversation) => (
              <Thread
                conversation={conversation()}
                selfId={node.status()?.node_id ?? ''}
                visible={panelVisible}
                onBack={narrow() ? () => setOpen(null) : undefined}
              />
            )}
          </Show>
        )}
      </Show>
    </div>
  );
}
