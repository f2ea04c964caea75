import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  CONVERSATION_LIMITS,
  type Conversation,
  type ConversationChange,
  type ConversationEvent,
} from '../../protocol/im/conversations.ts';
import * as store from '../../store/conversations.ts';
import { inTransaction, isUniqueViolation, type Executor, type Tx } from '../../store/database.ts';
import { requireGroup, requireMembership, requireMessageable, requireUsers } from './access.ts';
import { AfterCommit } from './after-commit.ts';
import type { ImActor, MessagingDeps } from './deps.ts';
import { checkIds, checkTitle } from './input.ts';
import { membersByConversation, toConversation } from './views.ts';

/** The key that makes a 1:1 unique per pair, whoever started it. */
export function directKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/**
 * Conversations and who is in them. The rules: a 1:1 has exactly two members
 * for good and exists once per pair. In a group any member may rename it and
 * add people they may message; only the owner removes others; anyone may
 * leave, and an owner who leaves passes ownership to the member who joined
 * earliest. Whoever leaves or is removed loses access to the history.
 */
export class ConversationService {
  readonly #deps: MessagingDeps;
  readonly #after: AfterCommit;
  readonly #now: () => number;

  constructor(deps: MessagingDeps) {
    this.#deps = deps;
    this.#after = new AfterCommit(deps);
    this.#now = deps.now ?? Date.now;
  }

  get #db() {
    return this.#deps.services.store.db;
  }

  /** The 1:1 with that person: the existing one, or a new one. */
  async createDirect(actor: ImActor, otherUserId: number): Promise<Conversation> {
    const [otherId] = checkIds('userIds', [otherUserId], 1);
    if (otherId === undefined || otherId === actor.userId) {
      throw new CooError(ErrorCode.INVALID_INPUT, 'a 1:1 conversation is with one other person');
    }
    await requireUsers(this.#db, [otherId]);
    await requireMessageable(this.#deps, actor.userId, [otherId]);
    const key = directKey(actor.userId, otherId);
    const existing = await store.findDirectConversation(this.#db, key);
    if (existing) return this.#view(this.#db, existing, actor.userId);
    let row: store.ConversationRow;
    try {
      row = await inTransaction(this.#db, async (tx) => {
        const now = this.#now();
        const created = await store.insertConversation(tx, {
          kind: 'direct',
          title: '',
          owner_id: null,
          direct_key: key,
          last_seq: 0,
          change_seq: 1,
          created_by: actor.userId,
          created_at: now,
          last_message_at: null,
        });
        await store.upsertMembers(tx, created.id, [actor.userId, otherId], now, 1);
        await this.#audit(tx, actor, 'im.conversation.create', created.id, { kind: 'direct', members: 2 });
        return created;
      });
    } catch (error) {
      // Both started it at once: the other insert won; theirs is the one.
      const winner = isUniqueViolation(error) ? await store.findDirectConversation(this.#db, key) : undefined;
      if (!winner) throw error;
      return this.#view(this.#db, winner, actor.userId);
    }
    return this.#announce(row, actor, 'created', [otherId]);
  }

  /** A new group owned by the actor, with the given others in it (none is fine). */
  async createGroup(actor: ImActor, title: string, userIds: readonly number[]): Promise<Conversation> {
    const checkedTitle = checkTitle(title);
    const others = checkIds('userIds', userIds, CONVERSATION_LIMITS.membersPerRequest).filter(
      (id) => id !== actor.userId,
    );
    await requireUsers(this.#db, others);
    await requireMessageable(this.#deps, actor.userId, others);
    const row = await inTransaction(this.#db, async (tx) => {
      const now = this.#now();
      const created = await store.insertConversation(tx, {
        kind: 'group',
        title: checkedTitle,
        owner_id: actor.userId,
        direct_key: null,
        last_seq: 0,
        change_seq: 1,
        created_by: actor.userId,
        created_at: now,
        last_message_at: null,
      });
      await store.upsertMembers(tx, created.id, [actor.userId, ...others], now, 1);
      await this.#audit(tx, actor, 'im.conversation.create', created.id, {
        kind: 'group',
        members: others.length + 1,
      });
      return created;
    });
    return this.#announce(row, actor, 'created', others);
  }

  async rename(actor: ImActor, conversationId: number, title: string): Promise<Conversation> {
    const checkedTitle = checkTitle(title);
    requireGroup(await requireMembership(this.#db, conversationId, actor.userId), 'renamed');
    const row = await this.#change(actor, conversationId, async (tx) => {
      await store.updateConversation(tx, conversationId, { title: checkedTitle });
      await this.#audit(tx, actor, 'im.conversation.rename', conversationId, { title: checkedTitle });
    });
    return this.#announce({ ...row, title: checkedTitle }, actor, 'renamed');
  }

  /** Adds people; those already in are left as they are. */
  async addMembers(
    actor: ImActor,
    conversationId: number,
    userIds: readonly number[],
  ): Promise<Conversation> {
    const ids = checkIds('userIds', userIds, CONVERSATION_LIMITS.membersPerRequest);
    requireGroup(await requireMembership(this.#db, conversationId, actor.userId), 'given new members');
    const current = new Set(
      (await store.listActiveMembers(this.#db, [conversationId])).map((m) => m.user_id),
    );
    const candidates = ids.filter((id) => !current.has(id));
    await requireUsers(this.#db, candidates);
    await requireMessageable(this.#deps, actor.userId, candidates);
    let added: number[] = [];
    const row = await this.#change(actor, conversationId, async (tx, changeSeq) => {
      // Read again under the lock: someone may have added them meanwhile.
      const now = new Set((await store.listActiveMembers(tx, [conversationId])).map((m) => m.user_id));
      added = candidates.filter((id) => !now.has(id));
      await store.upsertMembers(tx, conversationId, added, this.#now(), changeSeq);
      if (added.length > 0) {
        await this.#audit(tx, actor, 'im.conversation.add', conversationId, { users: added });
      }
    });
    return this.#announce(row, actor, 'added', added);
  }

  /** The owner removes others (to remove oneself, leave). Ids that are not members are ignored. */
  async removeMembers(
    actor: ImActor,
    conversationId: number,
    userIds: readonly number[],
  ): Promise<Conversation> {
    const ids = checkIds('userIds', userIds, CONVERSATION_LIMITS.membersPerRequest);
    if (ids.includes(actor.userId)) {
      throw new CooError(ErrorCode.INVALID_INPUT, 'to remove yourself, leave the conversation');
    }
    requireGroup(await requireMembership(this.#db, conversationId, actor.userId), 'changed');
    let removed: number[] = [];
    const row = await this.#change(actor, conversationId, async (tx, changeSeq, locked) => {
      if (locked.owner_id !== actor.userId) {
        throw new CooError(ErrorCode.IM_NOT_ALLOWED, 'only the owner of the group removes members');
      }
      const current = new Set((await store.listActiveMembers(tx, [conversationId])).map((m) => m.user_id));
      removed = ids.filter((id) => current.has(id));
      await store.deactivateMembers(tx, conversationId, removed, changeSeq);
      if (removed.length > 0) {
        await this.#audit(tx, actor, 'im.conversation.remove', conversationId, { users: removed });
      }
    });
    return this.#announce(row, actor, 'removed', removed);
  }

  /** Leaves a group; the owner's role passes to the member who joined earliest. */
  async leave(actor: ImActor, conversationId: number): Promise<void> {
    requireGroup(await requireMembership(this.#db, conversationId, actor.userId), 'left');
    let ownerId: number | null = null;
    const row = await this.#change(actor, conversationId, async (tx, changeSeq, locked) => {
      await store.deactivateMembers(tx, conversationId, [actor.userId], changeSeq);
      ownerId = locked.owner_id;
      if (locked.owner_id === actor.userId) {
        const [heir] = await store.listActiveMembers(tx, [conversationId]);
        ownerId = heir?.user_id ?? null;
        await store.updateConversation(tx, conversationId, { owner_id: ownerId });
      }
      await this.#audit(tx, actor, 'im.conversation.leave', conversationId, { newOwner: ownerId });
    });
    await this.#announce({ ...row, owner_id: ownerId }, actor, 'left', [actor.userId]);
  }

  /** The actor's conversations with unread counts, latest activity first. */
  async list(actor: ImActor): Promise<Conversation[]> {
    const rows = await store.listConversationsOfUser(this.#db, actor.userId);
    const ids = rows.map((r) => r.id);
    const [members, unread] = await Promise.all([
      store.listActiveMembers(this.#db, ids),
      store.countUnread(this.#db, actor.userId),
    ]);
    const grouped = membersByConversation(members);
    return rows.map((row) => toConversation(row, grouped.get(row.id) ?? [], unread.get(row.id) ?? 0));
  }

  async get(actor: ImActor, conversationId: number): Promise<Conversation> {
    const row = await requireMembership(this.#db, conversationId, actor.userId);
    return this.#view(this.#db, row, actor.userId);
  }

  /**
   * Runs a change to a conversation in one transaction that first takes the
   * conversation's next change number (locking it) and checks, under that
   * lock, that the actor is still a member.
   */
  async #change(
    actor: ImActor,
    conversationId: number,
    apply: (tx: Tx, changeSeq: number, locked: store.ConversationRow) => Promise<void>,
  ): Promise<store.ConversationRow> {
    return inTransaction(this.#db, async (tx) => {
      const locked = await store.advanceConversation(tx, conversationId);
      const member = await store.findMember(tx, conversationId, actor.userId);
      if (!locked || member?.active !== 1) {
        throw new CooError(ErrorCode.IM_CONVERSATION_UNKNOWN, `no conversation ${conversationId}`);
      }
      await apply(tx, locked.change_seq, locked);
      return locked;
    });
  }

  /**
   * After the commit: the `conversation` event to the members and to those
   * the change concerns (someone removed or leaving is no member any more
   * but must hear of it); the answer for the actor, with its unread count.
   */
  async #announce(
    row: store.ConversationRow,
    actor: ImActor,
    change: ConversationChange,
    userIds?: number[],
  ): Promise<Conversation> {
    const members = await store.listActiveMembers(this.#db, [row.id]);
    const event: ConversationEvent = {
      t: 'conversation',
      change,
      conversation: toConversation(row, members),
      byUserId: actor.userId,
    };
    if (userIds !== undefined) event.userIds = userIds;
    const audience = new Set([...members.map((m) => m.user_id), ...(userIds ?? []), actor.userId]);
    await this.#after.deliver([...audience], { ...event }, actor);
    const unread = await store.countUnread(this.#db, actor.userId, [row.id]);
    return toConversation(row, members, unread.get(row.id) ?? 0);
  }

  async #view(db: Executor, row: store.ConversationRow, userId: number): Promise<Conversation> {
    const [members, unread] = await Promise.all([
      store.listActiveMembers(db, [row.id]),
      store.countUnread(db, userId, [row.id]),
    ]);
    return toConversation(row, members, unread.get(row.id) ?? 0);
  }

  async #audit(
    tx: Tx,
    actor: ImActor,
    action: string,
    conversationId: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.#deps.services.audit.append(
      {
        actor: actor.address,
        action,
        target: `conversation:${conversationId}`,
        protocol: actor.protocol,
        remote: actor.remote,
        outcome: 'success',
        details,
      },
      tx,
    );
  }
}
