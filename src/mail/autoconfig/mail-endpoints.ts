import type { ListenerName } from '../../config/schema.ts';

/** Where a mail app reaches this server, and how (RFC 8314 names: implicit TLS vs STARTTLS). */
export interface MailEndpoint {
  protocol: 'imap' | 'pop3' | 'smtp';
  port: number;
  security: 'tls' | 'starttls';
}

export interface MailEndpoints {
  hostname: string;
  /** Reading mail, the preferred first: IMAP before POP3, implicit TLS before STARTTLS (RFC 8314 §3). */
  incoming: MailEndpoint[];
  /** Sending mail, implicit TLS (465) before STARTTLS (587). */
  outgoing: MailEndpoint[];
}

const ORDER: readonly { listener: ListenerName; endpoint: Omit<MailEndpoint, 'port'>; incoming: boolean }[] =
  [
    { listener: 'imaps', endpoint: { protocol: 'imap', security: 'tls' }, incoming: true },
    { listener: 'imap', endpoint: { protocol: 'imap', security: 'starttls' }, incoming: true },
    { listener: 'pop3s', endpoint: { protocol: 'pop3', security: 'tls' }, incoming: true },
    { listener: 'pop3', endpoint: { protocol: 'pop3', security: 'starttls' }, incoming: true },
    { listener: 'submissions', endpoint: { protocol: 'smtp', security: 'tls' }, incoming: false },
    { listener: 'submission', endpoint: { protocol: 'smtp', security: 'starttls' }, incoming: false },
  ];

/** The endpoints of the listeners that have a port (running, or configured for the CLI). */
export function mailEndpoints(hostname: string, ports: ReadonlyMap<ListenerName, number>): MailEndpoints {
  const endpoints: MailEndpoints = { hostname, incoming: [], outgoing: [] };
  for (const entry of ORDER) {
    const port = ports.get(entry.listener);
    if (port === undefined) continue;
    (entry.incoming ? endpoints.incoming : endpoints.outgoing).push({ ...entry.endpoint, port });
  }
  return endpoints;
}

/** XML text and attribute content (XML 1.0 §2.4). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
