import type { Executor } from './database.ts';

/**
 * The SQL of POP3 maildrop locks (RFC 1939 §8). A row exists while a session
 * has its user's maildrop open; it lives in the database so that several
 * nodes sharing PostgreSQL refuse a second session alike.
 */

export interface Pop3LockClaim {
  userId: number;
  /** The node (one per listener process), whose refresh renews all its locks. */
  holder: string;
  /** The session, the only one that may release this lock. */
  session: string;
  now: number;
  ttlMs: number;
}

/**
 * Takes the user's lock when nobody holds it or the holder let it lapse.
 * Atomic on both databases (one upsert whose update applies only to an
 * expired row); true when the claim won.
 */
export async function acquirePop3Lock(db: Executor, claim: Pop3LockClaim): Promise<boolean> {
  const row = await db
    .insertInto('pop3_locks')
    .values({
      user_id: claim.userId,
      holder: claim.holder,
      session: claim.session,
      acquired_at: claim.now,
      expires_at: claim.now + claim.ttlMs,
    })
    .onConflict((conflict) =>
      conflict
        .column('user_id')
        .doUpdateSet({
          holder: claim.holder,
          session: claim.session,
          acquired_at: claim.now,
          expires_at: claim.now + claim.ttlMs,
        })
        .where('pop3_locks.expires_at', '<', claim.now),
    )
    .returning('session')
    .executeTakeFirst();
  return row?.session === claim.session;
}

/** Extends every lock the node holds; returns how many. */
export async function refreshPop3Locks(
  db: Executor,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<number> {
  const result = await db
    .updateTable('pop3_locks')
    .set({ expires_at: now + ttlMs })
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Releases the session's lock; a lock taken over by another session stays. */
export async function releasePop3Lock(db: Executor, userId: number, session: string): Promise<void> {
  await db.deleteFrom('pop3_locks').where('user_id', '=', userId).where('session', '=', session).execute();
}

/** Who holds the user's maildrop now, if anyone (for tests and the admin). */
export function findPop3Lock(
  db: Executor,
  userId: number,
): Promise<{ holder: string; session: string; acquired_at: number; expires_at: number } | undefined> {
  return db
    .selectFrom('pop3_locks')
    .select(['holder', 'session', 'acquired_at', 'expires_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}
