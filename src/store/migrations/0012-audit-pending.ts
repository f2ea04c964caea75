import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

/**
 * Audit entries written but not yet chained (audit/audit-log.ts, on
 * PostgreSQL): a change inserts its entry here, in its own transaction and
 * without taking the chain's head, and the chainer moves committed entries
 * into audit_log in batches, one head update each. Several nodes then no
 * longer queue on the head row for every audited change.
 */
export async function up(db: Kysely<unknown>, context: MigrationContext): Promise<void> {
  await db.schema
    .createTable('audit_pending')
    .addColumn('id', 'integer', context.id)
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('remote', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
}
