import type { Session } from '../../lib/session.ts';
import { useStore } from '../../lib/store.ts';
import { memosStoreFor } from './memos-store.ts';

/** How many memos of the inbox are not confirmed yet, live: for a badge outside the memos page. */
export function useMemoUnread(session: Session): number {
  return useStore(memosStoreFor(session.connection, session.user.id).state, (s) => s.unread ?? 0);
}
