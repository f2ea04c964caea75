import { list, nstring, WIRE_NIL } from '../protocol/wire.ts';
import { parseAddressList, type EnvelopeAddress } from './address-list.ts';
import type { MessageStructure } from './mime-structure.ts';

/**
 * RFC 9051 §7.5.2 ENVELOPE: date, subject, from, sender, reply-to, to, cc,
 * bcc, in-reply-to, message-id. Values go as sent, unfolded but not decoded
 * (encoded words stay; 8-bit octets go in a literal). Absent fields are NIL.
 */

function bytes(value: string | null): Buffer | null {
  return value === null ? null : Buffer.from(value, 'latin1');
}

/** RFC 9051 §9 address: "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")". */
function addressWire(address: EnvelopeAddress): Buffer {
  return list([
    nstring(bytes(address.name)),
    nstring(bytes(address.adl)),
    nstring(bytes(address.mailbox)),
    nstring(bytes(address.host)),
  ]);
}

/** RFC 9051 §9 env-from etc.: "(" 1*address ")" (no spaces between addresses); null when there is none. */
function addressListWire(value: string | null): Buffer | null {
  if (value === null) return null;
  const addresses = parseAddressList(value);
  if (addresses.length === 0) return null;
  return Buffer.concat([Buffer.from('('), ...addresses.map(addressWire), Buffer.from(')')]);
}

export function envelopeWire(message: MessageStructure): Buffer {
  const fields = message.envelope;
  const from = addressListWire(fields.from) ?? WIRE_NIL;
  // RFC 9051 §7.5.2: Sender and Reply-To absent or empty are the From value.
  return list([
    nstring(bytes(fields.date)),
    nstring(bytes(fields.subject)),
    from,
    addressListWire(fields.sender) ?? from,
    addressListWire(fields.replyTo) ?? from,
    addressListWire(fields.to) ?? WIRE_NIL,
    addressListWire(fields.cc) ?? WIRE_NIL,
    addressListWire(fields.bcc) ?? WIRE_NIL,
    nstring(bytes(fields.inReplyTo)),
    nstring(bytes(fields.messageId)),
  ]);
}
