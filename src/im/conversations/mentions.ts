/**
 * `@alice@example.com` in a message's text mentions that person. The `@`
 * must start a word, so an address written plainly (alice@example.com) or an
 * e-mail quoted inside a word is not a mention.
 */
const MENTION = /(?<![\p{L}\p{N}._%+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/gu;

/** The addresses mentioned in the text, lower case, each once, in order. */
export function mentionedAddresses(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    // A sentence may end right after the address: "thanks @bob@example.com."
    const address = (match[1] ?? '').replace(/[.-]+$/, '').toLowerCase();
    if (address !== '') found.add(address);
  }
  return [...found];
}

/**
 * The members the message mentions: by address in the text or by id in the
 * explicit list. Only members can be mentioned, and never the sender.
 */
export function resolveMentions(
  text: string,
  explicit: readonly number[],
  members: readonly { user_id: number; address: string }[],
  senderId: number,
): number[] {
  const byAddress = new Map(members.map((m) => [m.address, m.user_id]));
  const memberIds = new Set(members.map((m) => m.user_id));
  const ids = new Set<number>();
  for (const address of mentionedAddresses(text)) {
    const id = byAddress.get(address);
    if (id !== undefined) ids.add(id);
  }
  for (const id of explicit) if (memberIds.has(id)) ids.add(id);
  ids.delete(senderId);
  return [...ids];
}
