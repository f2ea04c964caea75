import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

/**
 * Small blobs (most mail) kept in the database instead of a file each
 * (blob/blob-store.ts): the row is made durable by the group commit, with
 * no file and fsync of its own. Keyed by the content's SHA-256, like the files.
 */
export async function up(db: Kysely<unknown>, context: MigrationContext): Promise<void> {
  await db.schema
    .createTable('blob_inline')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', context.kind === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
