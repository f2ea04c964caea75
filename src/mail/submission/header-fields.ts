import addressparser from 'nodemailer/lib/addressparser';

/** What submission needs from a message's header section (RFC 5322 §2.2). */
export interface HeaderSummary {
  /** Every address of every From field, as written. */
  from: string[];
  hasMessageId: boolean;
  hasDate: boolean;
  /** Bytes of the header section, with the empty line that ends it. */
  length: number;
}

/** A header section larger than this is refused: no mail app writes one. */
export const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Reads the header section of a message: unfolds continuation lines (§2.2.3)
 * and collects the From addresses and whether Message-ID and Date are there.
 * Undefined when the header section is over MAX_HEADER_BYTES.
 */
export function readHeader(message: Buffer): HeaderSummary | undefined {
  const length = headerLength(message);
  if (length > MAX_HEADER_BYTES) return undefined;
  const text = message.subarray(0, length).toString('utf8');
  const fields = unfold(text);
  const summary: HeaderSummary = { from: [], hasMessageId: false, hasDate: false, length };
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1);
    if (name === 'from') summary.from.push(...addressesOf(value));
    else if (name === 'message-id') summary.hasMessageId = value.trim() !== '';
    else if (name === 'date') summary.hasDate = value.trim() !== '';
  }
  return summary;
}

/** Up to and including the empty line, or the whole message when there is no body. */
function headerLength(message: Buffer): number {
  if (message.subarray(0, 2).toString('latin1') === '\r\n') return 2;
  if (message[0] === 0x0a) return 1;
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 4, lf === -1 ? -1 : lf + 2].filter((n) => n >= 0);
  return ends.length === 0 ? message.length : Math.min(...ends);
}

function unfold(text: string): string[] {
  const fields: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) {
      fields[fields.length - 1] += line;
    } else {
      fields.push(line);
    }
  }
  return fields;
}

type Parsed = { address?: string; group?: Parsed[] };

function addressesOf(value: string): string[] {
  const flat: string[] = [];
  const visit = (entries: Parsed[]) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) flat.push(entry.address);
    }
  };
  visit(addressparser(value));
  return flat;
}
