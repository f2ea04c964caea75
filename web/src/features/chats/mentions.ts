/**
 * `@address` mentions (docs/protocol/conversations.md): splitting a
 * message's text into what to highlight, and the autocomplete that writes
 * them. The pattern is the server's: the `@` must start a word.
 */

export interface MentionCandidate {
  userId: number;
  address: string;
  displayName: string;
}

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'mention'; text: string; address: string; member: MentionCandidate | undefined }
  | { kind: 'link'; text: string; url: string };

const TOKEN =
  /(?<![\p{L}\p{N}._%+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)|\bhttps?:\/\/[^\s<>"']+/gu;

/** Trailing punctuation belongs to the sentence, not to the address or link. */
function trimEnd(value: string, pattern: RegExp): string {
  return value.replace(pattern, '');
}

/** The text in pieces: plain text, mentions (with the member when known) and links. */
export function segmentText(text: string, members: readonly MentionCandidate[]): Segment[] {
  const byAddress = new Map(members.map((m) => [m.address.toLowerCase(), m]));
  const segments: Segment[] = [];
  let position = 0;
  const push = (plain: string) => {
    if (plain === '') return;
    const previous = segments.at(-1);
    if (previous?.kind === 'text') previous.text += plain;
    else segments.push({ kind: 'text', text: plain });
  };
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    let whole = match[0];
    if (match[1] !== undefined) {
      const address = trimEnd(match[1], /[.-]+$/);
      whole = `@${address}`;
      push(text.slice(position, start));
      segments.push({
        kind: 'mention',
        text: whole,
        address,
        member: byAddress.get(address.toLowerCase()),
      });
    } else {
      whole = trimEnd(whole, /[.,;:!?)\]]+$/);
      push(text.slice(position, start));
      segments.push({ kind: 'link', text: whole, url: whole });
    }
    position = start + whole.length;
  }
  push(text.slice(position));
  return segments;
}

/** The `@query` being typed just before the caret, if any. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(?:^|[\s(（「])@([^\s@]*)$/u.exec(before);
  if (!match) return null;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Members whose name or address starts with (or, failing that, contains) the query. */
export function matchMembers(
  members: readonly MentionCandidate[],
  query: string,
  limit = 8,
): MentionCandidate[] {
  const q = query.toLowerCase();
  const starts: MentionCandidate[] = [];
  const contains: MentionCandidate[] = [];
  for (const member of members) {
    const name = member.displayName.toLowerCase();
    const address = member.address.toLowerCase();
    const words = name.split(/\s+/);
    if (address.startsWith(q) || name.startsWith(q) || words.some((w) => w.startsWith(q)))
      starts.push(member);
    else if (name.includes(q) || address.includes(q)) contains.push(member);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** Replaces the `@query` at `start`…`caret` with the full mention and a space. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  address: string,
): { text: string; caret: number } {
  const inserted = `@${address} `;
  const after = text.slice(caret).replace(/^\S*/, '');
  const next = text.slice(0, start) + inserted + after.replace(/^ /, '');
  return { text: next, caret: start + inserted.length };
}
