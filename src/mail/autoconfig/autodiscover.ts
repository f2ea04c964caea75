import { escapeXml, type MailEndpoint, type MailEndpoints } from './mail-endpoints.ts';

const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** The address of an Outlook autodiscover request (the POX "EMailAddress" element); undefined when absent. */
export function autodiscoverRequestAddress(body: string): string | undefined {
  const match = /<(?:\w+:)?EMailAddress>\s*([^<\s]+)\s*<\/(?:\w+:)?EMailAddress>/i.exec(body);
  return match?.[1];
}

/**
 * Outlook's "POX" autodiscover answer (responseschema 2006a): one IMAP or
 * POP3 account and SMTP, each the first endpoint of its kind. Encryption
 * "SSL" is TLS from the start, "TLS" is STARTTLS.
 */
export function autodiscoverResponse(endpoints: MailEndpoints, address: string): string {
  const protocol = (type: string, endpoint: MailEndpoint, extra: string[] = []) =>
    [
      '      <Protocol>',
      `        <Type>${type}</Type>`,
      `        <Server>${escapeXml(endpoints.hostname)}</Server>`,
      `        <Port>${endpoint.port}</Port>`,
      '        <DomainRequired>off</DomainRequired>',
      `        <LoginName>${escapeXml(address)}</LoginName>`,
      '        <SPA>off</SPA>',
      `        <Encryption>${endpoint.security === 'tls' ? 'SSL' : 'TLS'}</Encryption>`,
      '        <AuthRequired>on</AuthRequired>',
      ...extra.map((line) => `        ${line}`),
      '      </Protocol>',
    ].join('\n');
  const incoming = endpoints.incoming[0];
  const outgoing = endpoints.outgoing[0];
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_SCHEMA}">`,
    `  <Response xmlns="${OUTLOOK_SCHEMA}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...(incoming ? [protocol(incoming.protocol === 'imap' ? 'IMAP' : 'POP3', incoming)] : []),
    ...(outgoing
      ? [protocol('SMTP', outgoing, ['<UsePOPAuth>on</UsePOPAuth>', '<SMTPLast>off</SMTPLast>'])]
      : []),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}
