import { auditRecord, type Actor } from '../../directory/types.ts';
import { inTransaction, type Tx } from '../../store/database.ts';
import { finishRow, insertQueueRows, rescheduleRow, type QueueRow } from '../../store/mail-queue.ts';
import { resultOfLocalReply, type RecipientResult } from './attempt-result.ts';
import type { DsnRecipient } from './dsn.ts';
import { domainOf, parseRowOptions, retryDelayMs, type QueueDeps } from './queue-deps.ts';
import { deliverRemote } from './remote-delivery.ts';
import { storeNotice } from './sender-notice.ts';

/**
 * One delivery attempt for the recipients of one message at one domain
 * (claimed rows with the same sender, body and domain), then what follows
 * from each recipient's result: done, retry later with backoff, or returned
 * to the sender with a DSN (never for a bounce, whose sender is empty).
 */
export async function runDeliveryJob(
  deps: QueueDeps,
  rows: readonly QueueRow[],
  signal: AbortSignal,
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  let results: Map<string, RecipientResult>;
  try {
    results = await attempt(deps, rows, signal);
  } catch (error) {
    deps.logger.error({ err: error, queueIds: rows.map((r) => r.id) }, 'queue: delivery attempt failed');
    results = new Map();
  }
  await settle(deps, rows, results);
}

async function attempt(
  deps: QueueDeps,
  rows: readonly QueueRow[],
  signal: AbortSignal,
): Promise<Map<string, RecipientResult>> {
  const first = rows[0] as QueueRow;
  const recipients = rows.map((row) => row.recipient);
  if (!(await deps.blobs.has(first.blob_sha256))) {
    deps.logger.error(
      { blob: first.blob_sha256, queueIds: rows.map((r) => r.id) },
      'queue: message body missing',
    );
    const lost: RecipientResult = {
      kind: 'failed',
      status: '5.3.0',
      diagnostic: 'x-coo; the message body was lost',
    };
    return new Map(recipients.map((recipient) => [recipient, lost]));
  }
  if (await deps.isLocalDomain(first.domain)) return deliverLocally(deps, first, recipients);
  const options = parseRowOptions(first.options);
  return deliverRemote(
    {
      resolver: deps.resolver,
      hostname: deps.hostname,
      config: deps.config,
      mxPort: deps.mxPort,
      timeouts: deps.timeouts,
    },
    first.domain,
    {
      heloName: deps.hostname,
      from: first.sender,
      to: recipients,
      size: first.size,
      open: () => deps.blobs.get(first.blob_sha256),
      dsn: options.ret || options.envid ? options : undefined,
      signal,
    },
  );
}

async function deliverLocally(
  deps: QueueDeps,
  row: QueueRow,
  recipients: string[],
): Promise<Map<string, RecipientResult>> {
  const address = row.origin_user_id === null ? undefined : await deps.userAddress(row.origin_user_id);
  const outcomes = await deps.localDelivery.deliver({
    message: { sha256: row.blob_sha256, size: row.size },
    mailFrom: row.sender,
    recipients,
    submittedBy: address && row.origin_user_id !== null ? { userId: row.origin_user_id, address } : undefined,
  });
  const results = new Map<string, RecipientResult>();
  for (const outcome of outcomes) {
    const reply = outcome.reply ?? { code: 451, enhanced: '4.3.0', message: 'local delivery failed' };
    switch (outcome.outcome) {
      case 'delivered':
      case 'forwarded':
      case 'blocked':
        results.set(outcome.recipient, {
          kind: 'delivered',
          diagnostic: `x-coo; ${outcome.outcome} locally`,
        });
        break;
      case 'deferred':
      case 'failed':
        results.set(outcome.recipient, resultOfLocalReply(reply));
        break;
      default: {
        const unknown: never = outcome.outcome;
        throw new Error(`unknown delivery outcome ${String(unknown)}`);
      }
    }
  }
  return results;
}

const NO_RESULT: RecipientResult = {
  kind: 'deferred',
  status: '4.3.0',
  diagnostic: 'x-coo; the delivery attempt failed on this server (see its log)',
};

async function settle(deps: QueueDeps, rows: readonly QueueRow[], results: Map<string, RecipientResult>) {
  const now = deps.now();
  const maxAgeMs = deps.config.max_age_hours * 3_600_000;
  const warnAfterMs = deps.config.delay_warning_hours * 3_600_000;
  const failed: DsnRecipient[] = [];
  const delayed: DsnRecipient[] = [];
  const writes: ((tx: Tx) => Promise<void>)[] = [];
  // Counted only once the outcomes are committed: a rolled-back settle is tried again later.
  const counts: (() => void)[] = [];
  for (const row of rows) {
    const result = results.get(row.recipient) ?? NO_RESULT;
    const attempts = row.attempts + 1;
    const actor: Actor = {
      name: row.sender || 'MAILER-DAEMON',
      protocol: 'smtp',
      remote: result.remoteMta ?? '',
    };
    const details = { queueId: row.id, kind: row.kind, size: row.size, attempts };
    if (result.kind === 'delivered') {
      counts.push(() => deps.metrics.delivered(row.kind));
      writes.push(async (tx) => {
        await finishRow(tx, row.id, { status: 'delivered', attempts, lastError: null, now });
        await deps.audit.append(
          auditRecord(actor, 'mail.sent', row.recipient, { ...details, reply: result.diagnostic }),
          tx,
        );
      });
      continue;
    }
    const age = now - row.created_at;
    const expired = result.kind === 'deferred' && age >= maxAgeMs;
    if (result.kind === 'failed' || expired) {
      // RFC 3463 X.4.7: delivery time expired; the last temporary failure is the diagnostic.
      const status = expired ? '4.4.7' : result.status;
      failed.push({ ...dsnFields(row, result, now), action: 'failed', status });
      counts.push(() => deps.metrics.bounced());
      writes.push(async (tx) => {
        await finishRow(tx, row.id, { status: 'failed', attempts, lastError: result.diagnostic, now });
        const why = { ...details, status, reply: result.diagnostic, expired };
        await deps.audit.append(auditRecord(actor, 'mail.bounced', row.recipient, why, 'failure'), tx);
      });
      continue;
    }
    const warn = warnAfterMs > 0 && row.delay_warned === 0 && age >= warnAfterMs;
    if (warn) {
      delayed.push({
        ...dsnFields(row, result, now),
        action: 'delayed',
        willRetryUntil: row.created_at + maxAgeMs,
      });
    }
    const nextAttemptAt = now + retryDelayMs(attempts, deps.config);
    counts.push(() => deps.metrics.deferred());
    writes.push((tx) =>
      rescheduleRow(tx, row.id, {
        attempts,
        nextAttemptAt,
        lastError: result.diagnostic,
        delayWarned: warn || row.delay_warned === 1,
        now,
      }),
    );
  }
  const notices = await storeNotices(deps, rows[0] as QueueRow, [failed, delayed], now);
  await inTransaction(deps.store.db, async (tx) => {
    for (const write of writes) await write(tx);
    await insertQueueRows(tx, notices, now);
  });
  for (const count of counts) count();
  if (notices.length > 0) deps.wake();
}

function dsnFields(row: QueueRow, result: Exclude<RecipientResult, { kind: 'delivered' }>, now: number) {
  return {
    recipient: row.recipient,
    status: result.status,
    diagnostic: result.diagnostic,
    remoteMta: result.remoteMta,
    lastAttemptAt: now,
  };
}

/** A DSN per non-empty group, queued to the sender; none for a bounce (RFC 3464 §2: never bounce a bounce). */
async function storeNotices(deps: QueueDeps, message: QueueRow, groups: DsnRecipient[][], now: number) {
  if (message.sender === '') return [];
  const rows = [];
  for (const recipients of groups) {
    if (recipients.length === 0) continue;
    try {
      const stored = await storeNotice(deps.blobs, { reportingMta: deps.hostname, message, recipients, now });
      rows.push({
        sender: '',
        recipient: message.sender,
        domain: domainOf(message.sender),
        blobSha256: stored.sha256,
        size: stored.size,
        originUserId: null,
        kind: 'bounce',
        options: '{}',
        nextAttemptAt: now,
      });
    } catch (error) {
      deps.logger.error({ err: error, queueId: message.id }, 'queue: cannot write the delivery report');
    }
  }
  return rows;
}
