/**
 * One live chat feed for the whole app: the conversations (with unread counts, for the tab
 * badge and the Chat tab) kept fresh by the `onChat` subscription, and a way for the open
 * conversation to hear about each message and receipt.
 */
import { createContext, createSignal, useContext, type Accessor } from 'solid-js';
import type { ChatUpdate, Conversation } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { plainError, type PlainError } from './errors';
import { useSubscription, type LiveState } from './subscription';

export interface ChatFeed {
  readonly conversations: Accessor<readonly Conversation[] | undefined>;
  readonly error: Accessor<PlainError | null>;
  readonly live: Accessor<LiveState>;
  readonly totalUnread: Accessor<number>;
  /** Called for every update while the listener is registered; returns the unregister function. */
  listen(fn: (u: ChatUpdate) => void): () => void;
  /** Set a conversation's unread count to 0 here (after marking it read on the node). */
  markSeen(peer: string): void;
  reload(): void;
}

export const ChatFeedContext = createContext<ChatFeed>();

export function useChatFeed(): ChatFeed {
  const v = useContext(ChatFeedContext);
  if (!v) throw new Error('useChatFeed outside the app shell');
  return v;
}

function upsert(list: readonly Conversation[], c: Conversation): Conversation[] {
  return [c, ...list.filter((x) => x.peer !== c.peer)];
}

export function createChatFeed(): ChatFeed {
  const [conversations, setConversations] = createSignal<readonly Conversation[]>();
  const [error, setError] = createSignal<PlainError | null>(null);
  const listeners = new Set<(u: ChatUpdate) => void>();
  const reload = () => {
    trpc.chatConversations
      .query()
      .then((list) => {
        setConversations(list);
        setError(null);
      })
      .catch((err: unknown) => setError(plainError(err)));
  };
  const live = useSubscription<ChatUpdate>(
    (h) =>
      trpc.onChat.subscribe(undefined, {
        ...h,
        onStarted: () => {
          h.onStarted?.();
          reload();
        },
      }),
    (u) => {
      setConversations((list) => upsert(list ?? [], u.conversation));
      for (const fn of listeners) fn(u);
    },
  );
  reload();
  return {
    conversations,
    error,
    live: live.state,
    totalUnread: () => (conversations() ?? []).reduce((n, c) => n + c.unread, 0),
    listen(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    markSeen(peer) {
      setConversations((list) => list?.map((c) => (c.peer === peer ? { ...c, unread: 0 } : c)));
    },
    reload,
  };
}
