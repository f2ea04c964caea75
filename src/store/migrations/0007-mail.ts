import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

/**
 * Mail: mailboxes (folders) with IMAP's UIDs and mod-sequences, messages
 * (bodies in the blob store), expunge tombstones for QRESYNC, usage against
 * the quota, forwarding and rules, the outbound queue, and the submission
 * log behind per-user send limits.
 */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('mailboxes')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('special_use', 'text')
    .addColumn('uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('uid_next', 'bigint', (c) => c.notNull())
    .addColumn('highest_modseq', 'bigint', (c) => c.notNull())
    .addColumn('message_count', 'integer', (c) => c.notNull())
    .addColumn('total_size', 'bigint', (c) => c.notNull())
    .addColumn('subscribed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('mailboxes_user_name', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('mail_messages')
    .addColumn('id', 'integer', id)
    .addColumn('mailbox_id', 'integer', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
    .addColumn('uid', 'bigint', (c) => c.notNull())
    .addColumn('modseq', 'bigint', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('internal_date', 'bigint', (c) => c.notNull())
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('mail_messages_mailbox_uid', ['mailbox_id', 'uid'])
    .execute();
  await db.schema
    .createIndex('mail_messages_modseq')
    .on('mail_messages')
    .columns(['mailbox_id', 'modseq'])
    .execute();
  // Blobs are shared by content: before deleting one, the store asks whether any message still uses it.
  await db.schema.createIndex('mail_messages_blob').on('mail_messages').column('blob_sha256').execute();

  await db.schema
    .createTable('mail_expunged')
    .addColumn('mailbox_id', 'integer', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
    .addColumn('uid', 'bigint', (c) => c.notNull())
    .addColumn('modseq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_expunged_pk', ['mailbox_id', 'uid'])
    .execute();
  await db.schema
    .createIndex('mail_expunged_modseq')
    .on('mail_expunged')
    .columns(['mailbox_id', 'modseq'])
    .execute();

  await db.schema
    .createTable('mail_usage')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('used_bytes', 'bigint', (c) => c.notNull())
    .addColumn('message_count', 'integer', (c) => c.notNull())
    .addColumn('warned_at', 'bigint')
    .execute();

  await db.schema
    .createTable('mail_forwarding')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('keep_copy', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mail_rules')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mail_rules_user').on('mail_rules').columns(['user_id', 'position']).execute();

  await db.schema
    .createTable('mail_autoreplies')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('replied_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_autoreplies_pk', ['user_id', 'sender'])
    .execute();

  await db.schema
    .createTable('mail_queue')
    .addColumn('id', 'integer', id)
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('origin_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('delay_warned', 'integer', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mail_queue_due')
    .on('mail_queue')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema.createIndex('mail_queue_blob').on('mail_queue').column('blob_sha256').execute();

  await db.schema
    .createTable('mail_submissions')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mail_submissions_user')
    .on('mail_submissions')
    .columns(['user_id', 'at'])
    .execute();
}
