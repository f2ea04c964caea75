import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** Answers when the database does: the health check's probe. */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}

export interface DirectoryCounts {
  users: number;
  disabledUsers: number;
  admins: number;
  orgUnits: number;
  groups: number;
  domains: number;
  activeApiTokens: number;
  auditEntries: number;
}

/** The sizes /metrics reports, read in one round of small count queries. */
export async function directoryCounts(db: Executor, now = Date.now()): Promise<DirectoryCounts> {
  const count = (n: { n: number | string | bigint } | undefined) => Number(n?.n ?? 0);
  const [users, disabledUsers, admins, orgUnits, groups, domains, activeApiTokens, head] = await Promise.all([
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('disabled', '=', 1)
      .executeTakeFirst(),
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .executeTakeFirst(),
    db
      .selectFrom('org_units')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    db
      .selectFrom('groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    db
      .selectFrom('domains')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst(),
    db.selectFrom('audit_head').select('seq').where('id', '=', 1).executeTakeFirst(),
  ]);
  return {
    users: count(users),
    disabledUsers: count(disabledUsers),
    admins: count(admins),
    orgUnits: count(orgUnits),
    groups: count(groups),
    domains: count(domains),
    activeApiTokens: count(activeApiTokens),
    auditEntries: Number(head?.seq ?? 0),
  };
}
