import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

/**
 * POP3 mailbox locks (RFC 1939 §8: a maildrop is locked while a session is
 * in the TRANSACTION state). One row per user whose maildrop is open; the
 * holding node refreshes `expires_at` while the session lasts, so a lock of
 * a node that crashed lapses by itself.
 */
export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await db.schema
    .createTable('pop3_locks')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
