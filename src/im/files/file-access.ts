import type { Store } from '../../store/database.ts';
import { isActiveConversationMember, isMemoParticipant } from '../../store/files-access.ts';

/**
 * Who may read where a file is attached. The conversations and memos
 * services know their own rules; the file service asks them through this,
 * so a download is allowed exactly when reading the conversation or memo is.
 */
export interface FileAccess {
  /** Whether the user may read the conversation now (an active member). */
  canAccessConversation(userId: number, conversationId: number): Promise<boolean>;
  /** Whether the user sent the memo or is one of its recipients. */
  canAccessMemo(userId: number, memoId: number): Promise<boolean>;
}

/** The rule read straight from the conversation and memo tables. */
export class StoreFileAccess implements FileAccess {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  canAccessConversation(userId: number, conversationId: number): Promise<boolean> {
    return isActiveConversationMember(this.#store.db, userId, conversationId);
  }

  canAccessMemo(userId: number, memoId: number): Promise<boolean> {
    return isMemoParticipant(this.#store.db, userId, memoId);
  }
}
