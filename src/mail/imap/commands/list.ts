import { listMailboxes, type MailboxRow } from '../../../store/mailboxes.ts';
import { badSyntax } from '../imap-error.ts';
import { DELIMITER, mailboxNameFromClient, mailboxNameToClient } from '../mailbox-names.ts';
import type { ListCommandArgs } from '../protocol/ast.ts';
import { WIRE_CRLF } from '../protocol/wire.ts';
import { command, type CommandSession, type RegisteredCommand } from './command.ts';
import { writeStatus } from './status.ts';

/**
 * LIST (RFC 9051 §6.3.9) with LIST-EXTENDED (RFC 5258), SPECIAL-USE
 * (RFC 6154) and LIST-STATUS (RFC 5819), and IMAP4rev1's LSUB (RFC 3501
 * §6.3.9). Names are matched in the store's Unicode form; the client's
 * pattern is decoded first and the answers encoded for it.
 */

/** One name a LIST may answer with: a mailbox, or a parent that does not exist but has children. */
interface Candidate {
  name: string;
  row: MailboxRow | undefined;
}

/** What the user's mailboxes look like, read once per command. */
interface Hierarchy {
  candidates: Candidate[];
  /** Names with at least one mailbox below them. */
  parents: Set<string>;
  /** Names with at least one subscribed mailbox below them. */
  subscribedBelow: Set<string>;
}

/** The names above this one: "a/b/c" → ["a", "a/b"]. */
function ancestors(name: string): string[] {
  const levels = name.split(DELIMITER);
  return levels.slice(1).map((_, index) => levels.slice(0, index + 1).join(DELIMITER));
}

/** INBOX first, then by name: the order clients show and tests can rely on. */
function byName(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a < b ? -1 : 1;
}

function readHierarchy(rows: readonly MailboxRow[]): Hierarchy {
  const byNameMap = new Map(rows.map((row) => [row.name, row]));
  const parents = new Set<string>();
  const subscribedBelow = new Set<string>();
  for (const row of rows) {
    for (const parent of ancestors(row.name)) {
      parents.add(parent);
      if (row.subscribed) subscribedBelow.add(parent);
    }
  }
  const names = new Set([...byNameMap.keys(), ...parents]);
  const candidates = [...names].sort(byName).map((name) => ({ name, row: byNameMap.get(name) }));
  return { candidates, parents, subscribedBelow };
}

/**
 * RFC 9051 §6.3.9: "*" matches anything, "%" anything but the delimiter.
 * The INBOX level of a name matches in any case (INBOX is case-insensitive,
 * §5.1). Dynamic programming over code points, so a pattern of many
 * wildcards costs pattern × name steps, never more.
 */
export function mailboxPatternMatches(pattern: string, name: string): boolean {
  const p = [...pattern];
  const n = [...name];
  const inboxLength = name === 'INBOX' || name.startsWith(`INBOX${DELIMITER}`) ? 5 : 0;
  // next[j]: does p[i+1..] match n[j..]; row i is built from row i+1.
  let next = new Array<boolean>(n.length + 1).fill(false);
  next[n.length] = true;
  for (let i = p.length - 1; i >= 0; i--) {
    const current = new Array<boolean>(n.length + 1).fill(false);
    const char = p[i];
    for (let j = n.length; j >= 0; j--) {
      if (char === '*') current[j] = next[j] === true || (j < n.length && current[j + 1] === true);
      else if (char === '%')
        current[j] = next[j] === true || (j < n.length && n[j] !== DELIMITER && current[j + 1] === true);
      else if (j < n.length) {
        const same = char === n[j] || (j < inboxLength && char?.toUpperCase() === n[j]);
        current[j] = same && next[j + 1] === true;
      }
    }
    next = current;
  }
  return next[0] === true;
}

/** RFC 9051 §6.3.9: the reference is prefixed to each pattern; both arrive in the client's encoding. */
function fullPatterns(session: CommandSession, reference: string, patterns: readonly string[]): string[] {
  return patterns.map((pattern) => mailboxNameFromClient(session, `${reference}${pattern}`));
}

async function writeListLine(
  session: CommandSession,
  verb: 'LIST' | 'LSUB',
  attributes: readonly string[],
  name: string,
  extended = '',
): Promise<void> {
  await session.send([
    Buffer.concat([
      Buffer.from(`* ${verb} (${attributes.join(' ')}) "${DELIMITER}" `),
      mailboxNameToClient(session, name),
      Buffer.from(extended),
      WIRE_CRLF,
    ]),
  ]);
}

interface ListOptions {
  /** Selection SUBSCRIBED (RFC 5258 §3.1). */
  subscribedOnly: boolean;
  /** Selection SPECIAL-USE (RFC 6154 §3): only mailboxes with a special use. */
  specialUseOnly: boolean;
  /** RECURSIVEMATCH: parents of matching mailboxes too, with CHILDINFO. */
  recursive: boolean;
  showSubscribed: boolean;
  showSpecialUse: boolean;
  /** RFC 5258 §3.4 \NonExistent, or RFC 3501's \Noselect for a plain IMAP4rev1 LIST. */
  nonExistent: string;
}

function listOptions(session: CommandSession, args: ListCommandArgs): ListOptions {
  const selection = new Set(args.selection.map((option) => option.toUpperCase()));
  const subscribedOnly = selection.has('SUBSCRIBED');
  const specialUseOnly = selection.has('SPECIAL-USE');
  const recursive = selection.has('RECURSIVEMATCH');
  // RFC 5258 §3.1: RECURSIVEMATCH alone (or with REMOTE only) is a syntax error; it pairs with SUBSCRIBED here.
  if (recursive && !subscribedOnly) throw badSyntax('RECURSIVEMATCH needs the SUBSCRIBED selection option');
  const { returns } = args;
  const extended =
    selection.size > 0 ||
    returns.subscribed ||
    returns.children ||
    returns.specialUse ||
    returns.status !== undefined ||
    args.patterns.length > 1;
  return {
    subscribedOnly,
    specialUseOnly,
    recursive,
    showSubscribed: subscribedOnly || returns.subscribed,
    // RFC 9051 §6.3.9 lists special-use attributes with every LIST; RFC 6154 §2 asks a rev1 client to ask.
    showSpecialUse: session.enabled.rev2 || specialUseOnly || returns.specialUse,
    nonExistent: extended || session.enabled.rev2 ? '\\NonExistent' : '\\Noselect',
  };
}

/** Why a candidate is listed: it meets the selection, or (RECURSIVEMATCH) something below it does. */
function selected(
  candidate: Candidate,
  hierarchy: Hierarchy,
  options: ListOptions,
): 'listed' | 'childinfo' | undefined {
  const { row } = candidate;
  const childInfo = options.recursive && hierarchy.subscribedBelow.has(candidate.name);
  if (options.subscribedOnly) {
    if (row?.subscribed) return childInfo ? 'childinfo' : 'listed';
    return childInfo ? 'childinfo' : undefined;
  }
  if (options.specialUseOnly) return row?.special_use ? 'listed' : undefined;
  return 'listed';
}

function attributesOf(candidate: Candidate, hierarchy: Hierarchy, options: ListOptions): string[] {
  const { row } = candidate;
  const attributes: string[] = [];
  if (!row) attributes.push(options.nonExistent);
  // RFC 5258 §4 CHILDREN: always sent, whatever the client asked.
  attributes.push(hierarchy.parents.has(candidate.name) ? '\\HasChildren' : '\\HasNoChildren');
  if (options.showSubscribed && row?.subscribed) attributes.push('\\Subscribed');
  if (options.showSpecialUse && row?.special_use) attributes.push(row.special_use);
  return attributes;
}

async function list(session: CommandSession, userId: number, args: ListCommandArgs): Promise<void> {
  const options = listOptions(session, args);
  const patterns = args.patterns.filter((pattern) => pattern !== '');
  if (patterns.length < args.patterns.length) {
    // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root of the reference.
    await session.untagged(`LIST (\\Noselect) "${DELIMITER}" ""`);
  }
  if (patterns.length === 0) return;
  const full = fullPatterns(session, args.reference, patterns);
  const hierarchy = readHierarchy(await listMailboxes(session.deps.services.store.db, userId));
  for (const candidate of hierarchy.candidates) {
    if (!full.some((pattern) => mailboxPatternMatches(pattern, candidate.name))) continue;
    const why = selected(candidate, hierarchy, options);
    if (!why) continue;
    // RFC 5258 §3.5: CHILDINFO says a mailbox below meets the selection.
    const extended = why === 'childinfo' ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '';
    await writeListLine(
      session,
      'LIST',
      attributesOf(candidate, hierarchy, options),
      candidate.name,
      extended,
    );
    // RFC 5819 §2: the STATUS of each selectable mailbox right after its LIST.
    if (args.returns.status && candidate.row) await writeStatus(session, candidate.row, args.returns.status);
  }
}

/**
 * RFC 3501 §6.3.9 LSUB: the subscribed names. A parent that is not
 * subscribed itself is listed \Noselect when "%" stopped at its level and a
 * subscribed name below it therefore went unmatched.
 */
async function lsub(
  session: CommandSession,
  userId: number,
  reference: string,
  pattern: string,
): Promise<void> {
  if (pattern === '') {
    await session.untagged(`LSUB (\\Noselect) "${DELIMITER}" ""`);
    return;
  }
  const [full = ''] = fullPatterns(session, reference, [pattern]);
  const rows = await listMailboxes(session.deps.services.store.db, userId);
  const subscribed = rows.filter((row) => row.subscribed).map((row) => row.name);
  const implied = new Set<string>();
  for (const name of subscribed) {
    if (mailboxPatternMatches(full, name)) continue;
    for (const parent of ancestors(name)) if (mailboxPatternMatches(full, parent)) implied.add(parent);
  }
  const shown = new Set(subscribed.filter((name) => mailboxPatternMatches(full, name)));
  for (const name of [...new Set([...shown, ...implied])].sort(byName)) {
    await writeListLine(session, 'LSUB', shown.has(name) ? [] : ['\\Noselect'], name);
  }
}

export const listCommand = command({
  names: ['LIST'],
  state: 'authenticated',
  async run(session, state, args) {
    await list(session, state.user.id, args);
    return undefined;
  },
});

export const lsubCommand = command({
  names: ['LSUB'],
  state: 'authenticated',
  async run(session, state, { reference, pattern }) {
    await lsub(session, state.user.id, reference, pattern);
    return undefined;
  },
});

export const listCommands: readonly RegisteredCommand[] = [listCommand, lsubCommand];
