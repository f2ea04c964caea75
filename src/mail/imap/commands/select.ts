import type { MailboxRow } from '../../../store/mailboxes.ts';
import { changedSince, expungedSince } from '../../../store/mail-message-index.ts';
import { COMMON_KEYWORDS, SYSTEM_FLAGS, flagList, hasFlag, parseFlags } from '../flags.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import { mailboxNameFromClient, mailboxNameToClient, requireMailbox } from '../mailbox-names.ts';
import type { QresyncParams } from '../protocol/ast.ts';
import { SelectedMailbox } from '../selected-mailbox.ts';
import { compressUids } from '../uid-set.ts';
import { command, type CommandSession } from './command.ts';

/** RFC 9051 §6.3.2 SELECT, §6.3.3 EXAMINE, with RFC 7162's CONDSTORE and QRESYNC parameters. */
export const selectCommand = command({
  names: ['SELECT', 'EXAMINE'],
  state: 'authenticated',
  async run(session, state, selectCommand) {
    const readOnly = selectCommand.name === 'EXAMINE';
    if (selectCommand.qresync && !session.enabled.qresync) {
      throw new ImapError(
        'BAD',
        ImapErrorId.SYNTAX,
        'QRESYNC parameters need ENABLE QRESYNC first (RFC 7162 §3.2.5)',
      );
    }
    if (selectCommand.condstore) session.enabled.condstore = true;
    // RFC 9051 §6.3.2: a SELECT deselects the current mailbox first, even if it then fails.
    if (state.kind === 'selected') {
      deselect(session);
      await session.untagged('OK [CLOSED] previous mailbox closed');
    }
    const name = mailboxNameFromClient(session, selectCommand.mailbox);
    const db = session.deps.services.store.db;
    const row = await requireMailbox(db, state.user.id, name);
    const mailbox = await SelectedMailbox.open(db, row, readOnly, session.deps.indexes);
    session.state = { kind: 'selected', user: state.user, mailbox };
    session.savedUids = [];
    session.unwatch = session.deps.changes.watch(row.id, () => mailbox.notifyChange());
    await session.send([Buffer.from(selectResponses(session, mailbox, row).join(''), 'utf8')]);
    if (session.state.kind === 'selected' && selectCommand.name === 'SELECT') {
      // The LIST line (RFC 9051 §6.3.2) names the mailbox as the client spells it.
      await session.send([
        Buffer.concat([
          Buffer.from('* LIST () "/" '),
          mailboxNameToClient(session, row.name),
          Buffer.from('\r\n'),
        ]),
      ]);
    }
    if (selectCommand.qresync) await resynchronise(session, mailbox, selectCommand.qresync);
    return `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${selectCommand.name} completed`;
  },
});

function selectResponses(session: CommandSession, mailbox: SelectedMailbox, row: MailboxRow): string[] {
  const keywords = new Set<string>(COMMON_KEYWORDS);
  const seenSets = new Set<string>();
  let firstUnseen = 0;
  for (let index = 0; index < mailbox.exists; index++) {
    const flags = mailbox.flagsAt(index);
    if (firstUnseen === 0 && !hasFlag(flags, '\\Seen')) firstUnseen = index + 1;
    if (seenSets.has(flags)) continue;
    seenSets.add(flags);
    for (const flag of parseFlags(flags)) if (!flag.startsWith('\\')) keywords.add(flag);
  }
  const flags = [...SYSTEM_FLAGS, ...keywords].join(' ');
  const lines = [`* ${mailbox.exists} EXISTS`];
  if (!session.enabled.rev2) {
    lines.push('* 0 RECENT');
    if (firstUnseen > 0) lines.push(`* OK [UNSEEN ${firstUnseen}] first unseen message`);
  }
  lines.push(
    `* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`,
    `* OK [UIDNEXT ${mailbox.uidNext}] predicted next UID`,
    `* FLAGS (${flags})`,
    mailbox.readOnly
      ? '* OK [PERMANENTFLAGS ()] read-only mailbox'
      : `* OK [PERMANENTFLAGS (${flags} \\*)] flags permitted`,
    `* OK [HIGHESTMODSEQ ${Number(row.highest_modseq)}] highest mod-sequence`,
  );
  return lines.map((line) => `${line}\r\n`);
}

/**
 * RFC 7162 §3.2.5: the client's cache was in step at `modseq`: tell it what
 * was expunged since (VANISHED (EARLIER)) and which flags changed.
 */
async function resynchronise(
  session: CommandSession,
  mailbox: SelectedMailbox,
  params: QresyncParams,
): Promise<void> {
  if (params.uidValidity !== mailbox.uidValidity) return;
  const db = session.deps.services.store.db;
  let vanished = await expungedSince(db, mailbox.id, params.modseq, mailbox.highestModseq);
  if (params.knownUids) {
    const known = new Set(mailbox.resolveUidsIn(params.knownUids, vanished));
    vanished = vanished.filter((uid) => known.has(uid));
  }
  const lines: string[] = [];
  if (vanished.length > 0) lines.push(`* VANISHED (EARLIER) ${compressUids(vanished)}`);
  for (const entry of await changedSince(db, mailbox.id, params.modseq, mailbox.highestModseq)) {
    const index = mailbox.indexOfUid(entry.uid);
    if (index < 0) continue;
    lines.push(
      `* ${index + 1} FETCH (UID ${entry.uid} FLAGS ${flagList(mailbox.flagsAt(index))} MODSEQ (${mailbox.modseqAt(index)}))`,
    );
  }
  if (lines.length > 0)
    await session.send([Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8')]);
}

/** Leaves the selected state without expunging (UNSELECT, and SELECT of another mailbox). */
export function deselect(session: CommandSession): void {
  if (session.state.kind !== 'selected') return;
  session.unwatch?.();
  session.unwatch = undefined;
  session.state = { kind: 'authenticated', user: session.state.user };
  session.savedUids = [];
}

/** RFC 3691 UNSELECT */
export const unselectCommand = command({
  names: ['UNSELECT'],
  state: 'selected',
  async run(session) {
    deselect(session);
    return undefined;
  },
});
