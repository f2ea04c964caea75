import { messageFacts } from '../../../store/mail-message-index.ts';
import { parseFlags } from '../flags.ts';
import type { SearchKey, SearchReturn } from '../protocol/ast.ts';
import { searchMessages, type SearchCandidate, type SearchContext } from '../search/evaluate.ts';
import type { SearchableContent } from '../search/searchable.ts';
import { sortMessages, sortNeedsContent } from '../search/sort.ts';
import { threadOrderedSubject, threadReferences, threadWire } from '../search/thread.ts';
import type { SelectedState } from '../state.ts';
import { compressUids } from '../uid-set.ts';
import { command, type CommandSession } from './command.ts';

/** RFC 9051 §6.4.4 SEARCH, with RFC 4731 ESEARCH, RFC 5182 SAVE, RFC 7162 MODSEQ. */
export const searchCommand = command({
  names: ['SEARCH'],
  state: 'selected',
  async run(session, state, search, tag) {
    const found = await runSearch(session, state, search.key, false);
    await answer(
      session,
      { tag, byUid: search.uid, returns: search.returns, key: search.key, ordered: false },
      found,
    );
    return undefined;
  },
});

/** RFC 5256 SORT (and RFC 5267 ESORT when RETURN is given). */
export const sortCommand = command({
  names: ['SORT'],
  state: 'selected',
  async run(session, state, sort, tag) {
    const found = await runSearch(session, state, sort.key, true);
    const withContent = sortNeedsContent(sort.criteria);
    const items = [];
    for (const { candidate, blob } of found) {
      items.push({
        candidate,
        content: withContent ? await session.deps.messages.searchable(blob) : undefined,
      });
    }
    const sorted = sortMessages(sort.criteria, items).map((item) => ({
      candidate: item.candidate,
      blob: '',
    }));
    if (sort.returns) {
      await answer(
        session,
        { tag, byUid: sort.uid, returns: sort.returns, key: sort.key, ordered: true },
        sorted,
      );
      return undefined;
    }
    const ids = sorted.map(({ candidate }) => (sort.uid ? candidate.uid : candidate.seq));
    await session.untagged(`SORT${ids.map((id) => ` ${id}`).join('')}`);
    return undefined;
  },
});

/** RFC 5256 THREAD=REFERENCES and THREAD=ORDEREDSUBJECT */
export const threadCommand = command({
  names: ['THREAD'],
  state: 'selected',
  async run(session, state, thread) {
    const found = await runSearch(session, state, thread.key, true);
    const items = [];
    for (const { candidate, blob } of found)
      items.push({ candidate, content: await session.deps.messages.searchable(blob) });
    const options = { ids: thread.uid ? ('uid' as const) : ('seq' as const) };
    const tree =
      thread.algorithm === 'REFERENCES'
        ? threadReferences(items, options)
        : threadOrderedSubject(items, options);
    await session.untagged(`THREAD ${threadWire(tree)}`.trimEnd());
    return undefined;
  },
});

interface Found {
  candidate: SearchCandidate;
  blob: string;
}

/**
 * The messages of the view that match, in mailbox order. Dates, sizes and
 * bodies are read from the store only when the key (or SORT/THREAD, `forContent`)
 * needs them: SEARCH UNSEEN over 100,000 messages answers from the view alone.
 */
async function runSearch(
  session: CommandSession,
  state: SelectedState,
  key: SearchKey,
  forContent: boolean,
): Promise<Found[]> {
  const mailbox = state.mailbox;
  if (usesModseq(key)) session.enabled.condstore = true;
  const needsFacts = forContent || keyNeedsFacts(key);
  const facts = needsFacts ? await messageFacts(session.deps.services.store.db, mailbox.id) : [];
  const factsByUid = new Map(facts.map((fact) => [fact.uid, fact]));
  const candidates: SearchCandidate[] = [];
  const blobs = new Map<number, string>();
  for (let index = 0; index < mailbox.exists; index++) {
    const uid = mailbox.uidAt(index);
    const fact = factsByUid.get(uid);
    if ((needsFacts && !fact) || mailbox.isExpunged(index)) continue;
    if (fact) blobs.set(uid, fact.blobSha256);
    candidates.push({
      seq: index + 1,
      uid,
      flags: parseFlags(mailbox.flagsAt(index)),
      modseq: mailbox.modseqAt(index),
      internalDate: fact?.internalDate ?? 0,
      size: fact?.size ?? 0,
    });
  }
  const context: SearchContext = {
    maxSeq: mailbox.exists,
    maxUid: mailbox.uidAt(mailbox.exists - 1),
    savedUids: session.savedUids,
    content: (candidate): Promise<SearchableContent> =>
      session.deps.messages.searchable(blobs.get(candidate.uid) ?? ''),
    now: Date.now(),
    timezoneOffsetMinutes: 0,
  };
  const found = await searchMessages(key, candidates, context);
  return found.map((candidate) => ({ candidate, blob: blobs.get(candidate.uid) ?? '' }));
}

/** Keys that read a message's date, size or content (everything else answers from the view). */
function keyNeedsFacts(key: SearchKey): boolean {
  if (key.kind === 'not') return keyNeedsFacts(key.key);
  if (key.kind === 'or') return keyNeedsFacts(key.left) || keyNeedsFacts(key.right);
  if (key.kind === 'and') return key.keys.some(keyNeedsFacts);
  return FACT_KEYS.has(key.kind);
}

const FACT_KEYS = new Set<SearchKey['kind']>([
  'header',
  'body',
  'text',
  'internaldate',
  'sentdate',
  'size',
  'older',
  'younger',
]);

function usesModseq(key: SearchKey): boolean {
  if (key.kind === 'modseq') return true;
  if (key.kind === 'not') return usesModseq(key.key);
  if (key.kind === 'or') return usesModseq(key.left) || usesModseq(key.right);
  if (key.kind === 'and') return key.keys.some(usesModseq);
  return false;
}

/**
 * Writes the result: SEARCH (IMAP4rev1), or ESEARCH when RETURN was given
 * or the client enabled IMAP4rev2 (RFC 9051 §6.4.4); SAVE keeps it for "$".
 */
async function answer(
  session: CommandSession,
  request: {
    tag: string;
    byUid: boolean;
    returns: SearchReturn[] | undefined;
    key: SearchKey;
    ordered: boolean;
  },
  found: Found[],
): Promise<void> {
  const { tag, byUid, returns, key } = request;
  const ids = found.map(({ candidate }) => (byUid ? candidate.uid : candidate.seq));
  const modseq =
    usesModseq(key) && found.length > 0
      ? Math.max(...found.map(({ candidate }) => candidate.modseq))
      : undefined;
  if (returns?.includes('SAVE')) session.savedUids = found.map(({ candidate }) => candidate.uid);
  const options = returns ?? (session.enabled.rev2 ? ['ALL'] : undefined);
  if (!options) {
    await session.untagged(
      `SEARCH${ids.map((id) => ` ${id}`).join('')}${modseq !== undefined ? ` (MODSEQ ${modseq})` : ''}`,
    );
    return;
  }
  // RFC 5182 §2.4: SAVE alone returns nothing.
  const shown = options.length === 0 ? ['ALL'] : options.filter((option) => option !== 'SAVE');
  if (shown.length === 0) return;
  const parts = [`(TAG "${tag}")`];
  if (byUid) parts.push('UID');
  const sortedIds = [...ids].sort((a, b) => a - b);
  if (shown.includes('MIN') && ids.length > 0) parts.push(`MIN ${sortedIds[0]}`);
  if (shown.includes('MAX') && ids.length > 0) parts.push(`MAX ${sortedIds[sortedIds.length - 1]}`);
  // RFC 5267 §3.2: ESORT's ALL keeps the sort order.
  if (shown.includes('ALL') && ids.length > 0)
    parts.push(`ALL ${request.ordered ? ids.join(',') : compressUids(sortedIds)}`);
  if (shown.includes('COUNT')) parts.push(`COUNT ${ids.length}`);
  if (modseq !== undefined) parts.push(`MODSEQ ${modseq}`);
  await session.untagged(`ESEARCH ${parts.join(' ')}`);
}
