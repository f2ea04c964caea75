import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { MEMO_LIMITS } from '../../protocol/im/memos.ts';
import { listUserIdsInUnits } from '../../store/memos.ts';
import { requireMessageable, requireUsers } from '../conversations/access.ts';
import type { MessagingDeps } from '../conversations/deps.ts';

/**
 * The recipients of a memo, fixed at send time: the named users plus the
 * enabled users of the named units and of every unit below them, without
 * the sender. The visibility rules apply to each: a named user the sender
 * may not message fails the memo (IM_NOT_ALLOWED), since the sender asked
 * for that person; people a unit brings in whom the sender may not message
 * are left out silently, since "the whole department" means those of it the
 * sender may reach. A memo that reaches nobody fails.
 */
export async function expandRecipients(
  deps: MessagingDeps,
  senderId: number,
  userIds: readonly number[],
  unitIds: readonly number[],
): Promise<number[]> {
  const db = deps.services.store.db;
  const named = userIds.filter((id) => id !== senderId);
  await requireUsers(db, named);
  await requireMessageable(deps, senderId, named);

  const tree = await deps.services.directory.org.loadTree(db);
  const units = new Set<number>();
  for (const unitId of unitIds) {
    if (!tree.get(unitId)) throw new CooError(ErrorCode.UNIT_UNKNOWN, `unknown org unit ${unitId}`);
    for (const id of tree.subtreeIds(unitId)) units.add(id);
  }
  const namedSet = new Set(named);
  const fromUnits = (await listUserIdsInUnits(db, [...units])).filter(
    (id) => id !== senderId && !namedSet.has(id),
  );
  const reachable =
    fromUnits.length > 0 ? await deps.policy.messageableAmong(senderId, fromUnits) : new Set();
  const recipients = [...named, ...fromUnits.filter((id) => reachable.has(id))].sort((a, b) => a - b);

  if (recipients.length === 0) {
    if (fromUnits.length > 0) {
      throw new CooError(ErrorCode.IM_NOT_ALLOWED, 'you may not message anyone in these units');
    }
    throw new CooError(ErrorCode.INVALID_INPUT, 'to: nobody to send to (the units are empty)', [
      { field: 'to', message: 'nobody to send to' },
    ]);
  }
  if (recipients.length > MEMO_LIMITS.recipientsPerMemo) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `to: ${recipients.length} recipients; at most ${MEMO_LIMITS.recipientsPerMemo}`,
      [{ field: 'to', message: `at most ${MEMO_LIMITS.recipientsPerMemo} recipients` }],
    );
  }
  return recipients;
}
