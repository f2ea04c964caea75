import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

/** Memos, their recipients with read confirmations, and the per-user memo sync counters. */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('memos')
    .addColumn('id', 'integer', id)
    .addColumn('sender_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('recipient_count', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('sender_change_seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('memos_sender').on('memos').columns(['sender_id', 'id']).execute();
  await db.schema
    .createIndex('memos_sender_change')
    .on('memos')
    .columns(['sender_id', 'sender_change_seq'])
    .execute();

  await db.schema
    .createTable('memo_recipients')
    .addColumn('memo_id', 'integer', (c) => c.notNull().references('memos.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('sender_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('read_at', 'bigint')
    .addColumn('recipient_change_seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('memo_recipients_pk', ['memo_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('memo_recipients_inbox')
    .on('memo_recipients')
    .columns(['user_id', 'memo_id'])
    .execute();
  await db.schema
    .createIndex('memo_recipients_recipient_change')
    .on('memo_recipients')
    .columns(['user_id', 'recipient_change_seq'])
    .execute();
  await db.schema
    .createIndex('memo_recipients_sender_change')
    .on('memo_recipients')
    .columns(['sender_id', 'sender_change_seq'])
    .execute();

  await db.schema
    .createTable('memo_sync_counters')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
}
