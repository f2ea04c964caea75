import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.ts';

/** Visibility rules and hidden org units. */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('visibility_rules')
    .addColumn('id', 'integer', id)
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_unit_id', 'integer', (c) => c.references('org_units.id').onDelete('cascade'))
    .addColumn('subject_group_id', 'integer', (c) => c.references('groups.id').onDelete('cascade'))
    .addColumn('subject_subunits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('object_kind', 'text', (c) => c.notNull())
    .addColumn('object_unit_id', 'integer', (c) => c.references('org_units.id').onDelete('cascade'))
    .addColumn('object_group_id', 'integer', (c) => c.references('groups.id').onDelete('cascade'))
    .addColumn('object_subunits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('effect', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The same rule twice is refused; NULL ids count as 0 so "everyone" rules compare equal too.
  await sql`create unique index visibility_rules_same on visibility_rules (
    subject_kind, coalesce(subject_unit_id, 0), coalesce(subject_group_id, 0), subject_subunits,
    object_kind, coalesce(object_unit_id, 0), coalesce(object_group_id, 0), object_subunits,
    permission, effect)`.execute(db);

  await db.schema
    .createTable('hidden_org_units')
    .addColumn('unit_id', 'integer', (c) => c.primaryKey().references('org_units.id').onDelete('cascade'))
    .addColumn('hidden_at', 'bigint', (c) => c.notNull())
    .execute();
}
