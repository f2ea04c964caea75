import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { GroupTable } from './schema.ts';

export type GroupRow = Selectable<GroupTable>;

export function listGroups(db: Executor): Promise<(GroupRow & { members: number })[]> {
  return db
    .selectFrom('groups')
    .leftJoin('group_members', 'group_members.group_id', 'groups.id')
    .select(['groups.id', 'groups.name', 'groups.description', 'groups.created_at'])
    .select((eb) => eb.fn.count<number>('group_members.user_id').as('members'))
    .groupBy(['groups.id', 'groups.name', 'groups.description', 'groups.created_at'])
    .orderBy('groups.name')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, members: Number(r.members) })));
}

export function findGroupByName(db: Executor, name: string): Promise<GroupRow | undefined> {
  return db.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
}

export function insertGroup(
  db: Executor,
  name: string,
  description: string,
  now = Date.now(),
): Promise<GroupRow> {
  return db
    .insertInto('groups')
    .values({ name, description, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteGroup(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('group_members').where('group_id', '=', id).execute();
  await db.deleteFrom('groups').where('id', '=', id).execute();
}

export async function addGroupMember(db: Executor, groupId: number, userId: number): Promise<void> {
  await db
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeGroupMember(db: Executor, groupId: number, userId: number): Promise<void> {
  await db
    .deleteFrom('group_members')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .execute();
}

export async function listGroupMemberAddresses(db: Executor, groupId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select('users.address')
    .where('group_members.group_id', '=', groupId)
    .orderBy('users.address')
    .execute();
  return rows.map((r) => r.address);
}

export async function listGroupNamesOfUser(db: Executor, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('groups.name')
    .where('group_members.user_id', '=', userId)
    .orderBy('groups.name')
    .execute();
  return rows.map((r) => r.name);
}

/** Renames a group and sets its description; rules and members follow it, as they refer to the id. */
export async function updateGroup(
  db: Executor,
  id: number,
  fields: { name: string; description: string },
): Promise<void> {
  await db
    .updateTable('groups')
    .set({ name: fields.name, description: fields.description })
    .where('id', '=', id)
    .execute();
}
