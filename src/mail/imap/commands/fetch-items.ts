import type { MailMessageRow } from '../../../store/mailboxes.ts';
import { flagList } from '../flags.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import type { LoadedMessage } from '../message-cache.ts';
import { binaryBytes, binarySize } from '../message/binary.ts';
import { bodyStructureWire } from '../message/body-structure.ts';
import { envelopeWire } from '../message/envelope.ts';
import { applyPartial, sectionBytes } from '../message/sections.ts';
import type { FetchItem, Partial, SectionSpec } from '../protocol/ast.ts';
import { literal } from '../protocol/wire.ts';
import type { SelectedMailbox } from '../selected-mailbox.ts';
import type { CommandSession } from './command.ts';

/** One message as FETCH renders it: its place in the view, its row and its parsed content when needed. */
export interface FetchTarget {
  index: number;
  uid: number;
  mailbox: SelectedMailbox;
  row: MailMessageRow | undefined;
  loaded: LoadedMessage | undefined;
  session: CommandSession;
}

/** One FETCH data item (RFC 9051 §7.5.2): text when it is plain ASCII, a Buffer when it holds a literal. */
export function renderItem(item: FetchItem, target: FetchTarget): string | Buffer {
  switch (item.kind) {
    case 'UID':
      return `UID ${target.uid}`;
    case 'FLAGS':
      return `FLAGS ${flagList(target.mailbox.flagsAt(target.index))}`;
    case 'MODSEQ':
      return `MODSEQ (${target.mailbox.modseqAt(target.index)})`;
    case 'INTERNALDATE':
      return `INTERNALDATE "${internalDate(Number(need(target.row).internal_date))}"`;
    case 'RFC822.SIZE':
      return `RFC822.SIZE ${Number(need(target.row).size)}`;
    case 'ENVELOPE':
      return Buffer.concat([Buffer.from('ENVELOPE '), envelopeWire(content(target).structure)]);
    case 'BODY':
      return Buffer.concat([Buffer.from('BODY '), bodyStructureWire(content(target).structure, false)]);
    case 'BODYSTRUCTURE':
      return Buffer.concat([
        Buffer.from('BODYSTRUCTURE '),
        bodyStructureWire(content(target).structure, true),
      ]);
    case 'RFC822':
      return section(target, 'RFC822', { part: [] });
    case 'RFC822.HEADER':
      return section(target, 'RFC822.HEADER', { part: [], text: { kind: 'HEADER' } });
    case 'RFC822.TEXT':
      return section(target, 'RFC822.TEXT', { part: [], text: { kind: 'TEXT' } });
    case 'BODY[]':
      return section(target, `BODY[${sectionName(item.section)}]`, item.section, item.partial);
    case 'BINARY[]':
      return binary(target, item.part, item.partial);
    case 'BINARY.SIZE':
      return binarySizeItem(target, item.part);
    default:
      return exhaustive(item);
  }
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('FETCH: message data was not loaded');
  return value;
}

function content(target: FetchTarget): LoadedMessage {
  return need(target.loaded);
}

function section(target: FetchTarget, name: string, spec: SectionSpec, partial?: Partial): Buffer {
  const { raw, structure } = content(target);
  const bytes = sectionBytes(raw, structure, spec);
  // RFC 9051 §6.4.5: a part that does not exist is answered as empty, never as an error.
  const sliced = applyPartial(bytes ?? Buffer.alloc(0), partial);
  const origin = partial ? `<${partial.offset}>` : '';
  return Buffer.concat([Buffer.from(`${name}${origin} `), literal(sliced)]);
}

function binary(target: FetchTarget, part: number[], partial: Partial | undefined): Buffer {
  const { raw, structure } = content(target);
  const result = binaryBytes(raw, structure, part);
  if ('unknownCte' in result) throw unknownCte(part);
  const bytes = 'ok' in result ? applyPartial(result.ok, partial) : Buffer.alloc(0);
  const origin = partial ? `<${partial.offset}>` : '';
  // RFC 3516 §4.2: literal8 (~{n}) when the content holds NUL octets.
  const body = bytes.includes(0)
    ? Buffer.concat([Buffer.from(`~{${bytes.length}}\r\n`), bytes])
    : literal(bytes);
  return Buffer.concat([Buffer.from(`BINARY[${part.join('.')}]${origin} `), body]);
}

/** RFC 3516 §4.3: a part BINARY cannot decode. */
function unknownCte(part: number[]): ImapError {
  return new ImapError(
    'NO',
    ImapErrorId.UNKNOWN_CTE,
    `part ${part.join('.')} has a transfer encoding this server cannot decode`,
    'UNKNOWN-CTE',
  );
}

function binarySizeItem(target: FetchTarget, part: number[]): string {
  const { raw, structure } = content(target);
  const size = binarySize(raw, structure, part);
  if ('unknownCte' in size) throw unknownCte(part);
  return `BINARY.SIZE[${part.join('.')}] ${'ok' in size ? size.ok : 0}`;
}

/** The section as the response names it: "1.2.HEADER.FIELDS (FROM TO)". */
function sectionName(spec: SectionSpec): string {
  const parts: string[] = [];
  if (spec.part.length > 0) parts.push(spec.part.join('.'));
  const text = spec.text;
  if (text) {
    if (text.kind === 'HEADER.FIELDS') {
      parts.push(
        `HEADER.FIELDS${text.not ? '.NOT' : ''} (${text.fields.map((field) => field.toUpperCase()).join(' ')})`,
      );
    } else parts.push(text.kind);
  }
  return parts.join('.');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 9051 §9 date-time, " 2-Jan-2026 09:05:00 +0000" (UTC: a server on a LAN has one clock, no zone to guess). */
export function internalDate(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${day}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function exhaustive(item: never): never {
  throw new Error(`FETCH: unhandled item ${JSON.stringify(item)}`);
}
