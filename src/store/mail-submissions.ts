import type { Executor } from './database.ts';

/** The submission log behind per-user send limits (messages per hour). */

export async function recordSubmission(
  db: Executor,
  entry: { userId: number; at: number; recipients: number },
): Promise<void> {
  await db
    .insertInto('mail_submissions')
    .values({ user_id: entry.userId, at: entry.at, recipients: entry.recipients })
    .execute();
}

/** Messages the user submitted since `since`. */
export function countSubmissionsSince(db: Executor, userId: number, since: number): Promise<number> {
  return db
    .selectFrom('mail_submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('at', '>=', since)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

/** The oldest submission since `since`: when it ages out, the user may send again. */
export async function oldestSubmissionSince(
  db: Executor,
  userId: number,
  since: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('mail_submissions')
    .select('at')
    .where('user_id', '=', userId)
    .where('at', '>=', since)
    .orderBy('at')
    .limit(1)
    .executeTakeFirst();
  return row?.at;
}

/** Forgets submissions older than any limit looks at. */
export async function pruneSubmissions(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('mail_submissions').where('at', '<', before).execute();
}
