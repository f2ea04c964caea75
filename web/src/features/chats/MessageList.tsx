import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Conversation, Message } from '../../../../src/protocol/im/conversations.ts';
import { useT } from '../../lib/i18n.ts';
import { useStore } from '../../lib/store.ts';
import type { ChatClient } from './chat-client.ts';
import { chatMessages } from './messages.ts';
import { MessageRow, OutgoingRow } from './MessageRow.tsx';
import type { OutgoingMessage } from './outbox.ts';

/**
 * The timeline: virtualized with measured row heights, so ten thousand
 * messages scroll as smoothly as ten. It loads older pages as the top comes
 * near, keeps the view where it was when they arrive, follows new messages
 * while the reader is at the bottom, and moves the read marker to the
 * newest message on screen while the page is visible.
 */

type Item = { kind: 'message'; message: Message } | { kind: 'outgoing'; outgoing: OutgoingMessage };

const NEAR_BOTTOM_PX = 48;
const ESTIMATED_ROW_PX = 56;
const HISTORY_TOP_PX = 40;

export function MessageList({
  chat,
  conversation,
  editingSeq,
  onEdit,
}: {
  chat: ChatClient;
  conversation: Conversation;
  editingSeq: number | null;
  onEdit: (seq: number | null) => void;
}) {
  const t = useT(chatMessages);
  const timeline = useStore(chat.timeline(conversation.id));
  const outbox = useStore(chat.outbox.messages);
  const [loadError, setLoadError] = useState(false);
  const [atBottom, setAtBottom] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);

  const items = useMemo<Item[]>(() => {
    const list: Item[] = timeline.messages.map((message) => ({ kind: 'message', message }));
    for (const outgoing of outbox) {
      if (outgoing.conversationId === conversation.id) list.push({ kind: 'outgoing', outgoing });
    }
    return list;
  }, [timeline.messages, outbox, conversation.id]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    // Room above the first row for "loading older…" or "the beginning": kept
    // out of the rows, so the row a reader's place is anchored to is a message.
    paddingStart: HISTORY_TOP_PX,
    getItemKey: (index) => {
      const item = items[index];
      if (!item) return index;
      return item.kind === 'message' ? item.message.seq : item.outgoing.clientId;
    },
    overscan: 10,
    // A chat reads from the bottom: older pages put above keep the reader's
    // row where it was, and a reader at the bottom follows what arrives.
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: NEAR_BOTTOM_PX,
  });
  const virtualItems = virtualizer.getVirtualItems();

  const loadOlder = useCallback(() => {
    setLoadError(false);
    chat.loadOlder(conversation.id).catch(() => setLoadError(true));
  }, [chat, conversation.id]);

  // Near the top (row 0 rendered, overscan included): the next older page.
  const topInView =
    items.length === 0 ||
    (virtualItems[0]?.index === 0 && (virtualizer.scrollOffset ?? 0) < (virtualizer.scrollRect?.height ?? 0));
  useEffect(() => {
    // The rows may have been worked out before the first page was scrolled
    // to its bottom: ask the element whether the reader really is near the top.
    const element = scroller.current;
    const nearTop = !element || element.scrollTop <= element.clientHeight;
    if (topInView && nearTop && timeline.hasMore && !timeline.loading && !loadError) loadOlder();
  }, [topInView, timeline.hasMore, timeline.loading, loadError, loadOlder]);

  const bottomRef = useRef(true);
  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    bottomRef.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    setAtBottom(bottomRef.current);
  };

  // The view got shorter (the upload tray or the keyboard came up): a reader at the bottom stays there.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      if (bottomRef.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // The newest message on screen, for the read marker.
  const viewTop = virtualizer.scrollOffset ?? 0;
  const viewBottom = viewTop + (virtualizer.scrollRect?.height ?? 0);
  let newestVisible = 0;
  for (const row of virtualItems) {
    const item = items[row.index];
    if (item?.kind !== 'message' || row.end <= viewTop || row.start >= viewBottom) continue;
    newestVisible = Math.max(newestVisible, item.message.seq);
  }
  useMarkRead(chat, conversation.id, newestVisible);

  const jumpToLatest = () => {
    bottomRef.current = true;
    setAtBottom(true);
    virtualizer.scrollToEnd();
  };

  return (
    <div className="message-list-wrap">
      <div
        className="message-list"
        ref={scroller}
        onScroll={onScroll}
        data-testid="message-list"
        role="feed"
        aria-label={t('messageList')}
        aria-busy={timeline.loading}
        tabIndex={0}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          <HistoryTop
            loading={timeline.loading}
            hasMore={timeline.hasMore}
            error={loadError}
            retry={loadOlder}
          />
          {virtualItems.map((row) => {
            const item = items[row.index];
            return (
              <div
                key={row.key}
                data-index={row.index}
                ref={virtualizer.measureElement}
                className="message-slot"
                style={{ transform: `translateY(${row.start}px)` }}
              >
                {item?.kind === 'message' ? (
                  <MessageRow
                    chat={chat}
                    conversation={conversation}
                    message={item.message}
                    previous={previousMessage(items, row.index)}
                    editing={editingSeq === item.message.seq}
                    onEdit={onEdit}
                  />
                ) : item?.kind === 'outgoing' ? (
                  <OutgoingRow chat={chat} outgoing={item.outgoing} />
                ) : null}
              </div>
            );
          })}
        </div>
      </div>
      <Announcer conversation={conversation} meId={chat.meId} newest={timeline.messages.at(-1)} />
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={jumpToLatest}>
          {t('jumpToLatest')} ↓
        </button>
      )}
    </div>
  );
}

function previousMessage(items: Item[], index: number): Message | undefined {
  const previous = items[index - 1];
  return previous?.kind === 'message' ? previous.message : undefined;
}

function HistoryTop({
  loading,
  hasMore,
  error,
  retry,
}: {
  loading: boolean;
  hasMore: boolean;
  error: boolean;
  retry: () => void;
}) {
  const t = useT(chatMessages);
  if (error) {
    return (
      <p className="history-top" role="alert">
        {t('errGeneric', { code: 'history' })}{' '}
        <button type="button" className="link" onClick={retry}>
          {t('retry')}
        </button>
      </p>
    );
  }
  return <p className="history-top">{loading || hasMore ? t('loadingOlder') : t('beginning')}</p>;
}

/** Sends `read` for the newest message on screen while the page is visible. */
function useMarkRead(chat: ChatClient, conversationId: number, newestVisible: number): void {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  useEffect(() => {
    if (visible && newestVisible > 0) chat.markRead(conversationId, newestVisible);
  }, [chat, conversationId, newestVisible, visible]);
}

/**
 * Rows come and go as the list scrolls, so the list itself is not a live
 * region; this says each newly arrived message from someone else instead.
 */
function Announcer({
  conversation,
  meId,
  newest,
}: {
  conversation: Conversation;
  meId: number;
  newest: Message | undefined;
}) {
  const incoming = newest && newest.senderId !== meId && newest.deletedAt === null ? newest : undefined;
  const sender = conversation.members.find((m) => m.userId === incoming?.senderId)?.displayName ?? '';
  return (
    <div className="visually-hidden" role="status" aria-live="polite">
      {incoming ? `${sender}: ${incoming.text}` : ''}
    </div>
  );
}
