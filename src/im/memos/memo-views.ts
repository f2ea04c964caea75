import type { MessageAttachment } from '../../protocol/im/conversations.ts';
import type { InboxMemo, SentMemo } from '../../protocol/im/memos.ts';
import type { MemoWithSender } from '../../store/memos.ts';

/** Memo rows as they travel on the wire. */

function base(row: MemoWithSender) {
  return {
    id: row.id,
    sender: { userId: row.sender_id, address: row.sender_address, displayName: row.sender_name },
    subject: row.subject,
    body: row.body,
    attachments: parseAttachments(row.attachments),
    sentAt: row.sent_at,
    recipientCount: row.recipient_count,
  };
}

export function toInboxMemo(row: MemoWithSender, readAt: number | null): InboxMemo {
  return { ...base(row), readAt };
}

export function toSentMemo(row: MemoWithSender, readCount: number): SentMemo {
  return { ...base(row), readCount };
}

/** Written only by us; a damaged value reads as no attachments rather than failing a page. */
function parseAttachments(text: string): MessageAttachment[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as MessageAttachment[]) : [];
  } catch {
    return [];
  }
}
