import { createHash } from 'node:crypto';
import { escapeXml, type MailEndpoints } from './mail-endpoints.ts';

/**
 * An Apple configuration profile (.mobileconfig, an XML property list) with
 * one mail account (payload com.apple.mail.managed): IMAP (else POP3) for
 * reading and SMTP for sending, the address as user name. Unsigned: iOS
 * shows it as "not verified" and asks the user to install it; the password
 * is asked for then. Identifiers and UUIDs come from the address, so
 * installing it again replaces the account instead of adding a second.
 */
export function appleMobileconfig(endpoints: MailEndpoints, address: string): string {
  const incoming = endpoints.incoming[0];
  const outgoing = endpoints.outgoing[0];
  const reverseHost = endpoints.hostname.split('.').reverse().join('.');
  const accountId = `${reverseHost}.mail.${stableUuid(`account:${address}`)}`;
  const profileId = `${reverseHost}.mailprofile.${stableUuid(`profile:${address}`)}`;
  const entries: [string, string][] = [
    ['EmailAccountDescription', string(address)],
    ['EmailAccountType', string(incoming?.protocol === 'pop3' ? 'EmailTypePOP' : 'EmailTypeIMAP')],
    ['EmailAddress', string(address)],
  ];
  if (incoming) {
    entries.push(
      ['IncomingMailServerAuthentication', string('EmailAuthPassword')],
      ['IncomingMailServerHostName', string(endpoints.hostname)],
      ['IncomingMailServerPortNumber', integer(incoming.port)],
      ['IncomingMailServerUseSSL', boolean(true)],
      ['IncomingMailServerUsername', string(address)],
    );
  }
  if (outgoing) {
    entries.push(
      ['OutgoingMailServerAuthentication', string('EmailAuthPassword')],
      ['OutgoingMailServerHostName', string(endpoints.hostname)],
      ['OutgoingMailServerPortNumber', integer(outgoing.port)],
      ['OutgoingMailServerUseSSL', boolean(true)],
      ['OutgoingMailServerUsername', string(address)],
      ['OutgoingPasswordSameAsIncomingPassword', boolean(true)],
    );
  }
  entries.push(
    ['PayloadDescription', string(`Mail account ${address}`)],
    ['PayloadDisplayName', string(address)],
    ['PayloadIdentifier', string(accountId)],
    ['PayloadType', string('com.apple.mail.managed')],
    ['PayloadUUID', string(stableUuid(`account:${address}`))],
    ['PayloadVersion', integer(1)],
  );
  const profile: [string, string][] = [
    ['PayloadContent', `<array>\n${dict(entries, '    ')}\n  </array>`],
    ['PayloadDescription', string(`Mail settings for ${address} on ${endpoints.hostname}`)],
    ['PayloadDisplayName', string(`Mail: ${address}`)],
    ['PayloadIdentifier', string(profileId)],
    ['PayloadRemovalDisallowed', boolean(false)],
    ['PayloadType', string('Configuration')],
    ['PayloadUUID', string(stableUuid(`profile:${address}`))],
    ['PayloadVersion', integer(1)],
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    dict(profile, ''),
    '</plist>',
    '',
  ].join('\n');
}

const string = (value: string) => `<string>${escapeXml(value)}</string>`;
const integer = (value: number) => `<integer>${value}</integer>`;
const boolean = (value: boolean) => (value ? '<true/>' : '<false/>');

function dict(entries: [string, string][], indent: string): string {
  const inner = entries.map(([key, value]) => `${indent}  <key>${key}</key>\n${indent}  ${value}`).join('\n');
  return `${indent}<dict>\n${inner}\n${indent}</dict>`;
}

/** A UUID (version 5 layout) derived from the text, upper case as Apple writes them. */
function stableUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`.toUpperCase();
}
