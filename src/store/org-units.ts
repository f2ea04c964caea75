import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { OrgUnitTable } from './schema.ts';

export type OrgUnitRow = Selectable<OrgUnitTable>;

export function listOrgUnits(db: Executor): Promise<OrgUnitRow[]> {
  return db
    .selectFrom('org_units')
    .selectAll()
    .orderBy('parent_id')
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function insertOrgUnit(
  db: Executor,
  row: { parent_id: number | null; name: string; position: number },
  now = Date.now(),
): Promise<OrgUnitRow> {
  return db
    .insertInto('org_units')
    .values({ ...row, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateOrgUnit(
  db: Executor,
  id: number,
  patch: Partial<Pick<OrgUnitRow, 'parent_id' | 'name' | 'position'>>,
): Promise<void> {
  await db.updateTable('org_units').set(patch).where('id', '=', id).execute();
}

export async function deleteOrgUnit(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('org_units').where('id', '=', id).execute();
}

/** Member counts per unit id (direct members only). */
export async function countMembersByUnit(db: Executor): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('users')
    .select(['unit_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('unit_id', 'is not', null)
    .groupBy('unit_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.unit_id), Number(r.n)]));
}
