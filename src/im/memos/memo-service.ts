import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  MEMO_LIMITS,
  type InboxMemo,
  type MemoInboxResult,
  type MemoReadEvent,
  type MemoReceipts,
  type MemoSentResult,
  type SentMemo,
} from '../../protocol/im/memos.ts';
import { inTransaction, type Tx } from '../../store/database.ts';
import * as memos from '../../store/memos.ts';
import type { AttachmentInfo } from '../types.ts';
import { AfterCommit, preview } from '../conversations/after-commit.ts';
import { readAuditContent } from '../conversations/audit-content.ts';
import type { ImActor, MessagingDeps } from '../conversations/deps.ts';
import { checkLimit, checkSeq } from '../conversations/input.ts';
import { checkMemoDraft, type MemoDraft } from './memo-input.ts';
import { expandRecipients } from './memo-recipients.ts';
import { toInboxMemo, toSentMemo } from './memo-views.ts';

/** Thrown inside the read transaction to roll it back when another device confirmed first. */
class AlreadyRead extends Error {}

/**
 * Memos: sending to users and whole org units, per-recipient read
 * confirmations, the inbox and the sent box. Every change takes the memo
 * counters of everyone whose view it changes (see memos-sync.ts), commits,
 * and only then answers and sends its events.
 */
export class MemoService {
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

  async send(actor: ImActor, draft: MemoDraft): Promise<SentMemo> {
    const checked = checkMemoDraft(draft);
    const recipients = await expandRecipients(this.#deps, actor.userId, checked.userIds, checked.unitIds);
    const row = await inTransaction(this.#db, async (tx) => {
      const now = this.#now();
      const counters = await memos.advanceMemoCounters(tx, [actor.userId, ...recipients]);
      const inserted = await memos.insertMemo(tx, {
        sender_id: actor.userId,
        subject: checked.subject,
        body: checked.body,
        attachments: '[]',
        recipient_count: recipients.length,
        sent_at: now,
        sender_change_seq: counterOf(counters, actor.userId),
      });
      let attachments: AttachmentInfo[] = [];
      if (checked.fileIds.length > 0) {
        attachments = await this.#deps.attachments.attach(
          checked.fileIds,
          actor.userId,
          { memoId: inserted.id },
          tx,
        );
        inserted.attachments = JSON.stringify(attachments);
        await memos.setMemoAttachments(tx, inserted.id, inserted.attachments);
      }
      await memos.insertRecipients(
        tx,
        recipients.map((userId) => ({
          memo_id: inserted.id,
          user_id: userId,
          sender_id: actor.userId,
          read_at: null,
          recipient_change_seq: counterOf(counters, userId),
          sender_change_seq: 0,
        })),
      );
      const details: Record<string, unknown> = {
        recipients: recipients.length,
        users: checked.userIds.length,
        units: checked.unitIds,
        attachments: attachments.length,
        chars: [...checked.subject].length + [...checked.body].length,
        bytes: Buffer.byteLength(checked.subject) + Buffer.byteLength(checked.body),
      };
      if ((await readAuditContent(tx)) === 'keep') {
        details.subject = checked.subject;
        details.body = checked.body;
      }
      await this.#audit(tx, actor, 'im.memo.send', inserted.id, details);
      return inserted;
    });

    const withSender = await memos.findMemo(this.#db, row.id);
    if (!withSender) throw new Error(`memo ${row.id} vanished after its commit`);
    const sent = toSentMemo(withSender, 0);
    await this.#after.deliver(recipients, { t: 'memo', box: 'inbox', memo: toInboxMemo(withSender, null) });
    await this.#after.deliver([actor.userId], { t: 'memo', box: 'sent', memo: sent }, actor);
    this.#after.pushToOffline(recipients, {
      title: sent.subject || `Memo from ${sent.sender.displayName || sent.sender.address}`,
      body: preview(sent.body),
      url: `/#/memos/${sent.id}`,
      tag: `memo-${sent.id}`,
    });
    return sent;
  }

  /**
   * A recipient confirms reading. The first confirmation counts (and tells
   * the sender); later ones answer the same and change nothing.
   */
  async read(actor: ImActor, memoId: number): Promise<InboxMemo> {
    checkSeq('memoId', memoId);
    const memo = await memos.findMemo(this.#db, memoId);
    const recipient = memo ? await memos.findRecipient(this.#db, memoId, actor.userId) : undefined;
    if (!memo || !recipient) throw memoUnknown(memoId);
    if (recipient.read_at !== null) return toInboxMemo(memo, recipient.read_at);
    const readAt = this.#now();
    try {
      await inTransaction(this.#db, async (tx) => {
        const counters = await memos.advanceMemoCounters(tx, [actor.userId, memo.sender_id]);
        const changed = await memos.markRead(tx, memoId, actor.userId, {
          readAt,
          recipientChangeSeq: counterOf(counters, actor.userId),
          senderChangeSeq: counterOf(counters, memo.sender_id),
        });
        if (!changed) throw new AlreadyRead();
        await this.#audit(tx, actor, 'im.memo.read', memoId, { sender: memo.sender_id });
      });
    } catch (error) {
      if (!(error instanceof AlreadyRead)) throw error;
      const now = await memos.findRecipient(this.#db, memoId, actor.userId);
      return toInboxMemo(memo, now?.read_at ?? readAt);
    }
    const readCount = (await memos.countReads(this.#db, [memoId])).get(memoId) ?? 0;
    const event: MemoReadEvent = { t: 'memo.read', memoId, userId: actor.userId, readAt };
    await this.#after.deliver([memo.sender_id], { ...event, readCount });
    await this.#after.deliver([actor.userId], { ...event }, actor);
    return toInboxMemo(memo, readAt);
  }

  async inbox(actor: ImActor, page: { before?: number; limit?: number } = {}): Promise<MemoInboxResult> {
    const limit = checkPage(page);
    const rows = await memos.listInbox(this.#db, actor.userId, page.before, limit + 1);
    return {
      memos: rows.slice(0, limit).map((row) => toInboxMemo(row, row.read_at)),
      hasMore: rows.length > limit,
      unread: await memos.countUnreadInbox(this.#db, actor.userId),
    };
  }

  async sent(actor: ImActor, page: { before?: number; limit?: number } = {}): Promise<MemoSentResult> {
    const limit = checkPage(page);
    const rows = await memos.listSent(this.#db, actor.userId, page.before, limit + 1);
    const shown = rows.slice(0, limit);
    const reads = await memos.countReads(
      this.#db,
      shown.map((r) => r.id),
    );
    return {
      memos: shown.map((row) => toSentMemo(row, reads.get(row.id) ?? 0)),
      hasMore: rows.length > limit,
    };
  }

  /** Who read the memo and when, and who has not yet: for its sender only. */
  async receipts(actor: ImActor, memoId: number): Promise<MemoReceipts> {
    checkSeq('memoId', memoId);
    const memo = await memos.findMemo(this.#db, memoId);
    if (memo?.sender_id !== actor.userId) throw memoUnknown(memoId);
    const rows = await memos.listReceipts(this.#db, memoId);
    const person = (r: (typeof rows)[number]) => ({
      userId: r.user_id,
      address: r.address,
      displayName: r.display_name,
    });
    return {
      memoId,
      read: rows.flatMap((r) => (r.read_at === null ? [] : [{ ...person(r), readAt: r.read_at }])),
      unread: rows.filter((r) => r.read_at === null).map(person),
    };
  }

  async #audit(
    tx: Tx,
    actor: ImActor,
    action: string,
    memoId: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.#deps.services.audit.append(
      {
        actor: actor.address,
        action,
        target: `memo:${memoId}`,
        protocol: actor.protocol,
        remote: actor.remote,
        outcome: 'success',
        details,
      },
      tx,
    );
  }
}

function checkPage(page: { before?: number; limit?: number }): number {
  if (page.before !== undefined) checkSeq('before', page.before);
  return checkLimit(page.limit, MEMO_LIMITS.pageDefault, MEMO_LIMITS.pageMax);
}

function counterOf(counters: Map<number, number>, userId: number): number {
  const value = counters.get(userId);
  if (value === undefined) throw new Error(`no memo counter for user ${userId}`);
  return value;
}

function memoUnknown(memoId: number): CooError {
  return new CooError(ErrorCode.IM_MEMO_UNKNOWN, `no memo ${memoId}`);
}
