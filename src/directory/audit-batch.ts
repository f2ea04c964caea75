import { canonicalJson, entryHash } from '../audit/audit-chain.ts';
import type { Tx } from '../store/database.ts';
import type { AuditRow } from '../store/audit.ts';
import { insertAuditRows, reserveAuditSequence } from '../store/user-import.ts';
import type { AuditRecord } from './types.ts';

/**
 * Appends many entries to the audit chain in the caller's transaction: one
 * head update to reserve their sequence numbers, chained in memory, inserted
 * a few hundred rows per statement. Entries are hashed exactly as
 * AuditLog.append hashes them (audit-chain.ts), so `coo audit verify` cannot
 * tell a batch from single appends. Call it last, just before commit: the
 * head row stays locked until then.
 */
export async function appendAuditBatch(tx: Tx, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { firstSeq, prevHash } = await reserveAuditSequence(tx, records.length);
  let previous = prevHash;
  const rows: AuditRow[] = records.map((record, i) => {
    const fields = {
      seq: firstSeq + i,
      at: record.at,
      actor: record.actor,
      action: record.action,
      target: record.target,
      protocol: record.protocol,
      remote: record.remote,
      outcome: record.outcome,
      details: canonicalJson(record.details),
    };
    const hash = entryHash(previous, fields);
    const row = { ...fields, prev_hash: previous, hash };
    previous = hash;
    return row;
  });
  await insertAuditRows(tx, rows);
}
