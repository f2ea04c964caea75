import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import libmime from 'libmime';
import { simpleParser, type ParsedMail } from 'mailparser';
import addressparser, { type Address } from 'nodemailer/lib/addressparser';
import { toUnicode } from 'nodemailer/lib/punycode';
import { bodyOffset, headerFields, type HeaderField } from './header-block.ts';
import { headerBlockAsUtf8 } from './japanese.ts';

/**
 * What lists, notifications and delivery decisions need of a message, taken
 * from its header block and read as mailparser reads it: RFC 2047 words and
 * raw Japanese charsets decoded, addresses parsed. The POP3, IMAP and
 * submission code read stored messages through these helpers too.
 */
export interface MessageSummary {
  /** Decoded Subject, "" when there is none. */
  subject: string;
  /** The first From address in lower case, "" when none. */
  fromAddress: string;
  /** Its display name, decoded; "" when none. */
  fromName: string;
  /** Every To and Cc address, lower case. */
  recipients: string[];
  /** Message-ID without angle brackets, or "". */
  messageId: string;
  /** The Date header, ms since the epoch; undefined when absent or unreadable. */
  date: number | undefined;
  /** RFC 3834 Auto-Submitted, lower case; "" when absent (= "no"). */
  autoSubmitted: string;
  /** Precedence (bulk, list, junk…), lower case; "". */
  precedence: string;
  /** True for mailing-list traffic (List-Id or List-Unsubscribe, RFC 2369/2919). */
  fromList: boolean;
  /** Delivered-To values, lower case: where this copy was delivered before (loop detection). */
  deliveredTo: string[];
  /** How many Received fields: the hop count (RFC 5321 §6.3). */
  receivedCount: number;
}

/** mailparser without the conversions a summary or a display parse never uses. */
export const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
} as const;

/**
 * Summarises a header block (or a whole message: only its header block is
 * read). The fields mailparser would decode are decoded the way it does, so
 * the summary agrees with parseMessage, without the cost of a MIME parse.
 */
export async function summarizeHeader(message: Buffer): Promise<MessageSummary> {
  const offset = bodyOffset(message);
  const header = offset === -1 ? message : message.subarray(0, offset);
  const fields = headerFields(header);
  const decoded = decodeSummaryFields(header, fields);
  const from = firstMailbox(decoded.from ?? '');
  const values = (name: string) => fields.filter((field) => field.name === name).map((field) => field.value);
  const lower = (name: string) => (values(name)[0] ?? '').trim().toLowerCase();
  // Read as mailparser reads it, but where mailparser puts the time of parsing
  // in place of a Date it cannot read, the summary says undefined.
  const date = decoded.date === undefined ? Number.NaN : new Date(decoded.date).getTime();
  return {
    subject: (decoded.subject ?? '').trim(),
    fromAddress: from?.address ?? '',
    fromName: from?.name ?? '',
    recipients: [...decoded.to.flatMap(mailboxAddresses), ...decoded.cc.flatMap(mailboxAddresses)],
    messageId: decoded.messageId ?? '',
    date: Number.isNaN(date) ? undefined : date,
    autoSubmitted: lower('auto-submitted'),
    precedence: lower('precedence'),
    fromList: values('list-id').length > 0 || values('list-unsubscribe').length > 0,
    deliveredTo: values('delivered-to').map((value) => stripBrackets(value).toLowerCase()),
    receivedCount: values('received').length,
  };
}

/**
 * Parses a whole message with mailparser: decoded text and HTML bodies
 * (ISO-2022-JP, Shift_JIS, EUC-JP included), attachments, headers. Raw
 * legacy-charset header bytes are decoded as in summarizeHeader. Buffers the
 * message: for display and tests, not for the delivery path.
 */
export async function parseMessage(message: Buffer): Promise<ParsedMail> {
  const offset = bodyOffset(message);
  if (offset === -1) return simpleParser(headerBlockAsUtf8(message), PARSE_OPTIONS);
  const header = headerBlockAsUtf8(message.subarray(0, offset));
  return simpleParser(Readable.from([header, message.subarray(offset)]), PARSE_OPTIONS);
}

/** The values mailparser keeps of the fields a summary decodes. */
interface SummaryFields {
  /** The first Subject that decodes to something; mailparser skips empty ones. */
  subject: string | undefined;
  /** The first Message-ID that is not empty, without its angle brackets. */
  messageId: string | undefined;
  /** The first Date, as written. */
  date: string | undefined;
  /** The first From, as written. */
  from: string | undefined;
  /** Every To and every Cc, as written. */
  to: string[];
  cc: string[];
}

const ESC = 0x1b;

/** mailsplit takes a first line starting like this for an mbox or HTTP preamble, not a field. */
const PREAMBLE = /^(?:From|POST) /i;

/**
 * Reads the fields a summary decodes from the header block mailparser would
 * be given (raw Japanese bytes turned into UTF-8 first), with its rules for
 * which occurrence of a repeated field counts.
 */
function decodeSummaryFields(header: Buffer, fields: readonly HeaderField[]): SummaryFields {
  // A block in UTF-8 (or ASCII) without ESC holds no legacy Japanese bytes:
  // headerBlockAsUtf8 would return it as it is, after testing every field.
  const block = header.indexOf(ESC) === -1 && isUtf8(header) ? header : headerBlockAsUtf8(header, fields);
  const blockFields = block === header ? fields : headerFields(block);
  const decoded: SummaryFields = {
    subject: undefined,
    messageId: undefined,
    date: undefined,
    from: undefined,
    to: [],
    cc: [],
  };
  // A field on the first line of the block is ignored when that line reads as
  // a preamble ("From : a@example.com" included), as mailsplit ignores it.
  const first = blockFields[0];
  const skipFirst =
    first !== undefined &&
    first.raw.byteOffset === block.byteOffset &&
    PREAMBLE.test(block.toString('latin1', 0, 5));
  for (const field of skipFirst ? blockFields.slice(1) : blockFields) {
    switch (field.name) {
      case 'subject':
        decoded.subject ??= nonEmpty(decodeWords(fieldValue(field.raw)));
        break;
      case 'message-id':
        decoded.messageId ??= messageIdOf(decodeWords(fieldValue(field.raw)));
        break;
      case 'date':
        decoded.date ??= fieldValue(field.raw);
        break;
      case 'from':
        decoded.from ??= fieldValue(field.raw);
        break;
      case 'to':
        decoded.to.push(fieldValue(field.raw));
        break;
      case 'cc':
        decoded.cc.push(fieldValue(field.raw));
        break;
    }
  }
  return decoded;
}

/**
 * A field's value as mailparser reads it: every line break with the blanks
 * after it becomes one space, the blanks around it go, then it is read as
 * UTF-8. Only ASCII blanks are trimmed: mailparser trims the bytes with
 * String.trim, which takes a trailing 0xA0 for a no-break space and so cuts
 * a raw UTF-8 character that ends in that byte ("だ", "à") to U+FFFD.
 */
function fieldValue(raw: Buffer): string {
  const line = raw.toString('latin1').replace(/(?:\r?\n|\r)[ \t]*/g, ' ');
  const value = line.slice(line.indexOf(':') + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  return Buffer.from(value, 'latin1').toString('utf8');
}

function decodeWords(text: string): string {
  try {
    return libmime.decodeWords(text);
  } catch {
    return text;
  }
}

function nonEmpty(text: string): string | undefined {
  return text === '' ? undefined : text;
}

/**
 * mailparser puts a Message-ID in angle brackets where they are missing and
 * drops an empty one; the summary keeps what is inside the brackets.
 */
function messageIdOf(value: string): string | undefined {
  return value === '' ? undefined : value.replace(/^<|>$/g, '');
}

/** RFC 2047 §5: an encoded word may stand in a display name, never in an addr-spec. */
const ENCODED_WORD = /[=]\?[^?]+\?[BbQq]\?[^?]*\?[=]/;

/**
 * An address as mailparser reports it: an encoded word in it is decoded and
 * kept only when that leaves a plain local@domain ("" otherwise), and an
 * IDNA domain starting with xn-- is turned into Unicode.
 */
function decodeAddress(address: string): string {
  let decoded = address;
  if (decoded && ENCODED_WORD.test(decoded)) {
    try {
      const words = libmime.decodeWords(decoded);
      decoded = /^[^\s@]+@[^\s@]+$/.test(words) && !/[=]\?/.test(words) ? words : '';
    } catch {
      decoded = '';
    }
  }
  if (decoded && /@xn--/.test(decoded)) {
    const at = decoded.lastIndexOf('@') + 1;
    try {
      decoded = decoded.slice(0, at) + toUnicode(decoded.slice(at));
    } catch {
      // Not valid punycode: the address stays as written.
    }
  }
  return decoded;
}

/** The first mailbox of a From value that has an address; a group's members do not count. */
function firstMailbox(value: string): { address: string; name: string } | undefined {
  for (const entry of addressparser(value)) {
    const address = decodeAddress(entry.address ?? '');
    if (address) return { address: address.toLowerCase(), name: decodeWords(entry.name.trim()) };
  }
  return undefined;
}

/** Every address of an address field in lower case, a group's members included. */
function mailboxAddresses(value: string): string[] {
  const addresses: string[] = [];
  const add = (entry: Address) => {
    const address = decodeAddress(entry.address ?? '');
    if (address) addresses.push(address.toLowerCase());
  };
  for (const entry of addressparser(value)) {
    add(entry);
    for (const member of entry.group ?? []) add(member);
  }
  return addresses;
}

function stripBrackets(value: string): string {
  return value.trim().replace(/^<|>$/g, '');
}
