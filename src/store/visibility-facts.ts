import type { Executor } from './database.ts';

/** What the visibility policy needs to know of each user, nothing more. */
export interface UserVisibilityRow {
  id: number;
  unit_id: number | null;
  is_admin: number;
}

/** Every user's unit and admin flag: one row each, for the policy's snapshot. */
export function listUserVisibilityRows(db: Executor): Promise<UserVisibilityRow[]> {
  return db.selectFrom('users').select(['id', 'unit_id', 'is_admin']).execute();
}

/** Every group membership, for the policy's snapshot. */
export function listGroupMemberships(db: Executor): Promise<{ group_id: number; user_id: number }[]> {
  return db.selectFrom('group_members').select(['group_id', 'user_id']).execute();
}

/** Group names by id, to name groups in rules and explanations. */
export async function listGroupNames(db: Executor): Promise<Map<number, string>> {
  const rows = await db.selectFrom('groups').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
