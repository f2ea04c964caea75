import type { Partial, SectionSpec } from '../protocol/ast.ts';
import { fieldNameIs, forEachField } from './header-scan.ts';
import { partAt, type MessageStructure } from './mime-structure.ts';

/**
 * BODY[section] (RFC 9051 §6.4.5): the octets of a message, a part, or a
 * header, exactly as stored (slices of the raw message, no copies except
 * for HEADER.FIELDS).
 */

const CRLF = Buffer.from('\r\n');

type MessageText = Exclude<SectionSpec['text'], undefined | { kind: 'MIME' }>;

/** HEADER, TEXT or HEADER.FIELDS[.NOT] of a message (the whole one or an encapsulated one). */
function messageSection(raw: Buffer, message: MessageStructure, text: MessageText): Buffer {
  const root = message.root;
  switch (text.kind) {
    case 'HEADER':
      return raw.subarray(root.headerStart, root.headerEnd);
    case 'TEXT':
      return raw.subarray(root.bodyStart, root.bodyEnd);
    case 'HEADER.FIELDS': {
      // Field names compare case-insensitively; the fields go as sent, folding kept, each ending in CRLF, then the empty line.
      const wanted = text.fields.map((field) => field.toLowerCase());
      const chosen: Buffer[] = [];
      forEachField(raw, root.headerStart, root.headerEnd, (field) => {
        if (wanted.some((name) => fieldNameIs(raw, field, name)) === text.not) return;
        chosen.push(raw.subarray(field.nameStart, field.end), CRLF);
      });
      chosen.push(CRLF);
      return Buffer.concat(chosen);
    }
    default: {
      const unreachable: never = text;
      return unreachable;
    }
  }
}

/** The octets of a section; null when the part does not exist or has no such section. */
export function sectionBytes(raw: Buffer, message: MessageStructure, section: SectionSpec): Buffer | null {
  const text = section.text;
  if (section.part.length === 0) {
    if (!text) return raw;
    // MIME needs a part number (RFC 9051 §6.4.5).
    return text.kind === 'MIME' ? null : messageSection(raw, message, text);
  }
  const part = partAt(message, section.part);
  if (!part) return null;
  if (!text) return raw.subarray(part.bodyStart, part.bodyEnd);
  if (text.kind === 'MIME') return raw.subarray(part.headerStart, part.headerEnd);
  // HEADER, TEXT and HEADER.FIELDS after a part number need a message/rfc822 (or message/global) part.
  return part.message ? messageSection(raw, part.message, text) : null;
}

/** RFC 9051 §6.4.5 <offset.length>: an offset past the end gives no octets. */
export function applyPartial(bytes: Buffer, partial: Partial | undefined): Buffer {
  if (!partial) return bytes;
  if (partial.offset >= bytes.length) return bytes.subarray(0, 0);
  return bytes.subarray(partial.offset, partial.offset + partial.length);
}
