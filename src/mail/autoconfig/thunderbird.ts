import { escapeXml, type MailEndpoint, type MailEndpoints } from './mail-endpoints.ts';

/**
 * Thunderbird's autoconfig document (clientConfig version 1.1, as served at
 * autoconfig.DOMAIN/mail/config-v1.1.xml and /.well-known/autoconfig/…).
 * The user name is the whole address: Coo logs in with it.
 */
export function thunderbirdConfig(endpoints: MailEndpoints, domain: string): string {
  const server = (tag: 'incomingServer' | 'outgoingServer', endpoint: MailEndpoint) =>
    [
      `    <${tag} type="${endpoint.protocol}">`,
      `      <hostname>${escapeXml(endpoints.hostname)}</hostname>`,
      `      <port>${endpoint.port}</port>`,
      `      <socketType>${endpoint.security === 'tls' ? 'SSL' : 'STARTTLS'}</socketType>`,
      '      <authentication>password-cleartext</authentication>',
      '      <username>%EMAILADDRESS%</username>',
      `    </${tag}>`,
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain)}">`,
    `    <domain>${escapeXml(domain)}</domain>`,
    `    <displayName>${escapeXml(domain)} (Coo)</displayName>`,
    `    <displayShortName>${escapeXml(domain)}</displayShortName>`,
    ...endpoints.incoming.map((e) => server('incomingServer', e)),
    ...endpoints.outgoing.map((e) => server('outgoingServer', e)),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}
