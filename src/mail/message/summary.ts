import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { bodyOffset, headerFields } from './header-block.ts';
import { headerBlockAsUtf8 } from './japanese.ts';

/**
 * What lists, notifications and delivery decisions need of a message, taken
 * from its header block by mailparser: RFC 2047 words and raw Japanese
 * charsets decoded, addresses parsed. The POP3, IMAP and submission code
 * read stored messages through these helpers too.
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

const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
} as const;

/** Summarises a header block (or a whole message: only its header block is parsed). */
export async function summarizeHeader(message: Buffer): Promise<MessageSummary> {
  const offset = bodyOffset(message);
  const header = offset === -1 ? message : message.subarray(0, offset);
  const fields = headerFields(header);
  const parsed = await simpleParser(headerBlockAsUtf8(header, fields), PARSE_OPTIONS);
  const from = firstAddress(parsed.from);
  const values = (name: string) => fields.filter((field) => field.name === name).map((field) => field.value);
  const lower = (name: string) => (values(name)[0] ?? '').trim().toLowerCase();
  return {
    subject: (parsed.subject ?? '').trim(),
    fromAddress: from?.address ?? '',
    fromName: from?.name ?? '',
    recipients: [...addressesOf(parsed.to), ...addressesOf(parsed.cc)],
    messageId: stripBrackets(parsed.messageId ?? ''),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.getTime() : undefined,
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

function firstAddress(value: AddressObject | undefined): { address: string; name: string } | undefined {
  for (const entry of value?.value ?? []) {
    if (entry.address) return { address: entry.address.toLowerCase(), name: entry.name ?? '' };
  }
  return undefined;
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const addresses: string[] = [];
  for (const object of objects) {
    for (const entry of object.value) {
      if (entry.address) addresses.push(entry.address.toLowerCase());
      for (const member of entry.group ?? [])
        if (member.address) addresses.push(member.address.toLowerCase());
    }
  }
  return addresses;
}

function stripBrackets(value: string): string {
  return value.trim().replace(/^<|>$/g, '');
}
