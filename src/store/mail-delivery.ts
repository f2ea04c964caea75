import type { Selectable } from 'kysely';
import type { Executor, Tx } from './database.ts';
import {
  appendMessage,
  appendToNamedMailbox,
  ensureDefaultMailboxes,
  findMailbox,
  newMailboxRow,
  type MailboxRow,
  type MailMessageRow,
  type NewMailMessage,
} from './mailboxes.ts';
import { prepareQuery } from './prepared-query.ts';
import type { MailForwardingTable, MailRuleTable } from './schema-mail.ts';
import type { UserRow } from './users.ts';

/**
 * The SQL of local delivery's per-user settings: rules (block, file,
 * auto-reply) in position order, forwarding, whom an auto-reply already
 * answered, and the one-time quota warning.
 */

export type MailRuleRow = Selectable<MailRuleTable>;
export type MailForwardingRow = Selectable<MailForwardingTable>;

export function listMailRules(db: Executor, userId: number): Promise<MailRuleRow[]> {
  return db
    .selectFrom('mail_rules')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

/** Adds a rule after the user's last one. */
export async function insertMailRule(
  tx: Tx,
  rule: { userId: number; kind: string; params: unknown; now: number },
): Promise<MailRuleRow> {
  const last = await tx
    .selectFrom('mail_rules')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('user_id', '=', rule.userId)
    .executeTakeFirst();
  const position = last?.position === null || last?.position === undefined ? 1 : Number(last.position) + 1;
  return tx
    .insertInto('mail_rules')
    .values({
      user_id: rule.userId,
      kind: rule.kind,
      params: JSON.stringify(rule.params),
      position,
      created_at: rule.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Removes one of the user's rules; undefined when the user has no rule with this id. */
export async function deleteMailRule(tx: Tx, userId: number, id: number): Promise<MailRuleRow | undefined> {
  return tx
    .deleteFrom('mail_rules')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function findForwarding(db: Executor, userId: number): Promise<MailForwardingRow | undefined> {
  return db.selectFrom('mail_forwarding').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function putForwarding(
  db: Executor,
  forwarding: { userId: number; target: string; keepCopy: boolean; now: number },
): Promise<void> {
  const values = {
    target: forwarding.target,
    keep_copy: forwarding.keepCopy ? 1 : 0,
    updated_at: forwarding.now,
  };
  await db
    .insertInto('mail_forwarding')
    .values({ user_id: forwarding.userId, ...values })
    .onConflict((conflict) => conflict.column('user_id').doUpdateSet(values))
    .execute();
}

/** True when there was forwarding to turn off. */
export async function deleteForwarding(db: Executor, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('mail_forwarding').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Records that the user's auto-reply answers this sender now, unless it did
 * since `notBefore`. One statement (an upsert that updates only an old row),
 * so two deliveries at once on two nodes answer once. True when claimed.
 */
export async function claimAutoreply(
  db: Executor,
  claim: { userId: number; sender: string; now: number; notBefore: number },
): Promise<boolean> {
  const row = await db
    .insertInto('mail_autoreplies')
    .values({ user_id: claim.userId, sender: claim.sender, replied_at: claim.now })
    .onConflict((conflict) =>
      conflict
        .columns(['user_id', 'sender'])
        .doUpdateSet({ replied_at: claim.now })
        .where('mail_autoreplies.replied_at', '<', claim.notBefore),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks the 90 % warning as sent, once: false when it already was. */
export async function markQuotaWarned(db: Executor, userId: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mail_usage')
    .set({ warned_at: now })
    .where('user_id', '=', userId)
    .where('warned_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Clears the warning mark once usage is below the threshold again, so the next crossing warns anew. */
export async function clearQuotaWarned(db: Executor, userId: number): Promise<void> {
  await db
    .updateTable('mail_usage')
    .set({ warned_at: null })
    .where('user_id', '=', userId)
    .where('warned_at', 'is not', null)
    .execute();
}

/** Bytes the users' mailboxes hold, for quota checks at RCPT (one query for several users). */
export async function usedBytesOf(db: Executor, userIds: readonly number[]): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('mail_usage')
    .select(['user_id', 'used_bytes'])
    .where('user_id', 'in', [...userIds])
    .execute();
  return new Map(rows.map((row) => [row.user_id, Number(row.used_bytes)]));
}

/** The first active administrator (lowest id): who receives postmaster@ when no such user exists. */
export async function firstActiveAdminId(db: Executor, now: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('is_admin', '=', 1)
    .where('disabled', '=', 0)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', now)]))
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/**
 * The user's folder of this name, created when missing (a file rule's
 * target). Creation tolerates a concurrent delivery creating it too.
 * UIDVALIDITY follows mailboxes.ts: seconds since the epoch at creation.
 */
export async function ensureNamedMailbox(
  tx: Tx,
  userId: number,
  name: string,
  now: number,
): Promise<MailboxRow> {
  const existing = await findMailbox(tx, userId, name);
  if (existing) return existing;
  await ensureDefaultMailboxes(tx, userId, now);
  const wanted = name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
  await tx
    .insertInto('mailboxes')
    .values(newMailboxRow(userId, wanted, null, now))
    .onConflict((conflict) => conflict.columns(['user_id', 'name']).doNothing())
    .execute();
  const created = await findMailbox(tx, userId, wanted);
  if (!created) throw new Error(`mailbox ${wanted} of user ${userId} could not be created`);
  return created;
}

/**
 * Appends a delivered message to the user's folder of this name, creating
 * the folder (and the default ones) when missing. The UPDATE that takes the
 * UID finds the folder by name too, so an existing folder costs no look-up.
 */
export async function appendToFolder(
  tx: Tx,
  input: Omit<NewMailMessage, 'mailboxId'> & { mailboxName: string },
): Promise<{ mailbox: { id: number; name: string }; row: MailMessageRow }> {
  const appended = await appendToNamedMailbox(tx, input);
  if (appended) return appended;
  const mailbox = await ensureNamedMailbox(tx, input.userId, input.mailboxName, input.now);
  const row = await appendMessage(tx, { ...input, mailboxId: mailbox.id });
  return { mailbox: { id: mailbox.id, name: mailbox.name }, row };
}

/** A user as delivery sees them, with what it needs to decide, in one query. */
export interface RecipientFacts {
  user: UserRow;
  usedBytes: number;
  warnedAt: number | null;
  forwarding: { target: string; keepCopy: boolean } | undefined;
  /** How many rules the user has: their list is read only when there are some. */
  ruleCount: number;
}

/** The facts query, by a condition on the user: compiled once per database (prepared-query.ts). */
function factsQuery(db: Executor) {
  return db
    .selectFrom('users')
    .leftJoin('mail_usage', 'mail_usage.user_id', 'users.id')
    .leftJoin('mail_forwarding', 'mail_forwarding.user_id', 'users.id')
    .selectAll('users')
    .select((eb) => [
      'mail_usage.used_bytes as facts_used_bytes',
      'mail_usage.warned_at as facts_warned_at',
      'mail_forwarding.target as facts_forward_target',
      'mail_forwarding.keep_copy as facts_forward_keep',
      eb
        .selectFrom('mail_rules')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('mail_rules.user_id', '=', 'users.id')
        .as('facts_rule_count'),
    ]);
}

const factsByAddress = prepareQuery((db, p: { address: string }) =>
  factsQuery(db).where('users.address', '=', p.address),
);
const factsById = prepareQuery((db, p: { id: number }) => factsQuery(db).where('users.id', '=', p.id));

/**
 * The user (by address or id) with their mailbox usage, forwarding and
 * rule count: RCPT and delivery ask this for every message, so it is one
 * query rather than four, and a prepared one.
 */
export async function findRecipientFacts(
  db: Executor,
  key: { address: string } | { id: number },
): Promise<RecipientFacts | undefined> {
  const row = await ('address' in key ? factsByAddress.takeFirst(db, key) : factsById.takeFirst(db, key));
  if (!row) return undefined;
  const {
    facts_used_bytes: usedBytes,
    facts_warned_at: warnedAt,
    facts_forward_target: target,
    facts_forward_keep: keep,
    facts_rule_count: ruleCount,
    ...user
  } = row;
  return {
    user,
    usedBytes: Number(usedBytes ?? 0),
    warnedAt: warnedAt ?? null,
    forwarding: target === null || target === undefined ? undefined : { target, keepCopy: keep === 1 },
    ruleCount: Number(ruleCount ?? 0),
  };
}
