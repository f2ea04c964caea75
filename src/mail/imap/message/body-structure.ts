import { atom, imapString, list, nstring, WIRE_NIL } from '../protocol/wire.ts';
import { envelopeWire } from './envelope.ts';
import type { MimeParameter } from './mime-fields.ts';
import type { MessageStructure, MimePart } from './mime-structure.ts';

/**
 * BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, grammar in §9; RFC 3501 §7.4.2).
 * Types, subtypes, parameter names, dispositions and encodings go in lower
 * case (the parser lowers them); values as sent. BODYSTRUCTURE always
 * carries all four extension fields of each part, as Dovecot sends them.
 */

const SPACE = Buffer.from(' ');

function latin1(value: string): Buffer {
  return Buffer.from(value, 'latin1');
}

/** RFC 9051 §9 body-fld-param: NIL or ("name" "value" …). */
function paramsWire(params: readonly MimeParameter[]): Buffer {
  return list(
    params.flatMap((param) => [imapString(latin1(param.name)), imapString(latin1(param.value))]),
    true,
  );
}

/** A text part without a charset is us-ascii (RFC 2046 §4.1.2); said explicitly, as Dovecot does. */
function typeParams(part: MimePart): MimeParameter[] {
  if (part.type !== 'text' || part.params.some((param) => param.name === 'charset')) return part.params;
  return [...part.params, { name: 'charset', value: 'us-ascii' }];
}

/** body-fld-dsp SP body-fld-lang SP body-fld-loc: the extension fields both kinds of part end with. */
function commonExtensionWire(part: MimePart): Buffer[] {
  const disposition = part.disposition
    ? list([imapString(latin1(part.disposition.type)), paramsWire(part.disposition.params)])
    : WIRE_NIL;
  const language = part.language ? list(part.language.map((tag) => imapString(latin1(tag)))) : WIRE_NIL;
  return [disposition, language, nstring(part.location === null ? null : latin1(part.location))];
}

/** body-type-mpart: 1*body SP media-subtype [SP body-ext-mpart]. */
function multipartWire(part: MimePart, extensible: boolean): Buffer {
  const pieces = part.children.map((child) => partWire(child, extensible));
  pieces.push(SPACE, imapString(latin1(part.subtype)));
  if (extensible) {
    for (const field of [paramsWire(part.params), ...commonExtensionWire(part)]) pieces.push(SPACE, field);
  }
  return Buffer.concat([Buffer.from('('), ...pieces, Buffer.from(')')]);
}

/** body-type-basic, body-type-text or body-type-msg [SP body-ext-1part]. */
function singlePartWire(part: MimePart, extensible: boolean): Buffer {
  const fields = [
    imapString(latin1(part.type)),
    imapString(latin1(part.subtype)),
    paramsWire(typeParams(part)),
    nstring(part.id === null ? null : latin1(part.id)),
    nstring(part.description === null ? null : latin1(part.description)),
    imapString(latin1(part.encoding ?? '7bit')),
    atom(part.bodyEnd - part.bodyStart),
  ];
  if (part.message) {
    fields.push(envelopeWire(part.message), partWire(part.message.root, extensible), atom(part.lines));
  } else if (part.type === 'text') {
    fields.push(atom(part.lines));
  }
  if (extensible) {
    fields.push(nstring(part.md5 === null ? null : latin1(part.md5)), ...commonExtensionWire(part));
  }
  return list(fields);
}

function partWire(part: MimePart, extensible: boolean): Buffer {
  return part.type === 'multipart' ? multipartWire(part, extensible) : singlePartWire(part, extensible);
}

/** BODY (extensible false) or BODYSTRUCTURE (true) of a message. */
export function bodyStructureWire(message: MessageStructure, extensible: boolean): Buffer {
  return partWire(message.root, extensible);
}
