import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { VisibilityRuleTable } from './schema-visibility.ts';

export type VisibilityRuleRow = Selectable<VisibilityRuleTable>;
export type NewVisibilityRuleRow = Omit<VisibilityRuleRow, 'id' | 'created_at'>;

export function listVisibilityRules(db: Executor): Promise<VisibilityRuleRow[]> {
  return db.selectFrom('visibility_rules').selectAll().orderBy('id').execute();
}

export function findVisibilityRule(db: Executor, id: number): Promise<VisibilityRuleRow | undefined> {
  return db.selectFrom('visibility_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The rule with the same subject, object, permission and effect, if there is one. */
export function findSameVisibilityRule(
  db: Executor,
  rule: NewVisibilityRuleRow,
): Promise<VisibilityRuleRow | undefined> {
  return db
    .selectFrom('visibility_rules')
    .selectAll()
    .where((eb) =>
      eb.and([
        eb('subject_kind', '=', rule.subject_kind),
        rule.subject_unit_id === null
          ? eb('subject_unit_id', 'is', null)
          : eb('subject_unit_id', '=', rule.subject_unit_id),
        rule.subject_group_id === null
          ? eb('subject_group_id', 'is', null)
          : eb('subject_group_id', '=', rule.subject_group_id),
        eb('subject_subunits', '=', rule.subject_subunits),
        eb('object_kind', '=', rule.object_kind),
        rule.object_unit_id === null
          ? eb('object_unit_id', 'is', null)
          : eb('object_unit_id', '=', rule.object_unit_id),
        rule.object_group_id === null
          ? eb('object_group_id', 'is', null)
          : eb('object_group_id', '=', rule.object_group_id),
        eb('object_subunits', '=', rule.object_subunits),
        eb('permission', '=', rule.permission),
        eb('effect', '=', rule.effect),
      ]),
    )
    .executeTakeFirst();
}

export function insertVisibilityRule(
  db: Executor,
  rule: NewVisibilityRuleRow,
  now = Date.now(),
): Promise<VisibilityRuleRow> {
  return db
    .insertInto('visibility_rules')
    .values({ ...rule, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteVisibilityRule(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('visibility_rules').where('id', '=', id).execute();
}

export async function listHiddenUnitIds(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('hidden_org_units').select('unit_id').orderBy('unit_id').execute();
  return rows.map((r) => r.unit_id);
}

/** Marks the unit hidden; false when it already was. */
export async function insertHiddenUnit(db: Executor, unitId: number, now = Date.now()): Promise<boolean> {
  const inserted = await db
    .insertInto('hidden_org_units')
    .values({ unit_id: unitId, hidden_at: now })
    .onConflict((oc) => oc.column('unit_id').doNothing())
    .returning('unit_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Shows the unit again; false when it was not hidden. */
export async function deleteHiddenUnit(db: Executor, unitId: number): Promise<boolean> {
  const deleted = await db
    .deleteFrom('hidden_org_units')
    .where('unit_id', '=', unitId)
    .returning('unit_id')
    .executeTakeFirst();
  return deleted !== undefined;
}
