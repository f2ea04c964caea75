/**
 * REST types of a user's mail settings: forwarding and delivery rules
 * (/api/v1/users/{address}/mail/…). Times are ISO 8601 strings, UTC.
 */
export interface ApiMailForwarding {
  /** Where every message goes: one address. */
  target: string;
  /** True: a copy stays in the user's mailbox too. */
  keepCopy: boolean;
  updatedAt: string;
}

export type ApiMailRuleBody =
  /** Mail from this sender (an address, or "@domain" with its subdomains) is dropped silently. */
  | { kind: 'block'; params: { sender: string } }
  /** Mail whose field contains the text (case-insensitive) goes into the folder. */
  | {
      kind: 'file';
      params: { match: { field: 'from' | 'to' | 'subject' | 'sender'; contains: string }; mailbox: string };
    }
  /** One reply per sender per period while away: between from and until (either may be null). */
  | {
      kind: 'autoreply';
      params: { subject: string; body: string; from: string | null; until: string | null };
    };

export type ApiMailRule = ApiMailRuleBody & {
  id: number;
  /** Rules apply in this order. */
  position: number;
  createdAt: string;
};
