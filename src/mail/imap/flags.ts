/**
 * Flags as IMAP writes them. The store keeps a message's flags as a sorted
 * JSON array; most messages share a handful of distinct sets, so the text of
 * each set is parsed and formatted once.
 */
const formatted = new Map<string, string>();
const parsed = new Map<string, readonly string[]>();
const MAX_CACHED = 10_000;

/** '["\\\\Seen"]' → '(\\Seen)' */
export function flagList(json: string): string {
  let text = formatted.get(json);
  if (text === undefined) {
    text = `(${parseFlags(json).join(' ')})`;
    if (formatted.size < MAX_CACHED) formatted.set(json, text);
  }
  return text;
}

export function parseFlags(json: string): readonly string[] {
  let flags = parsed.get(json);
  if (flags === undefined) {
    flags = Object.freeze(JSON.parse(json) as string[]);
    if (parsed.size < MAX_CACHED) parsed.set(json, flags);
  }
  return flags;
}

export function hasFlag(json: string, flag: string): boolean {
  const wanted = flag.toLowerCase();
  return parseFlags(json).some((candidate) => candidate.toLowerCase() === wanted);
}

/** RFC 9051 §2.3.2 system flags; \\Recent is gone in IMAP4rev2 and never set here. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;

/** Keywords clients commonly set, offered from the start (RFC 5788 registry). */
export const COMMON_KEYWORDS = ['$Forwarded', '$MDNSent', '$Junk', '$NotJunk', '$Phishing'] as const;
