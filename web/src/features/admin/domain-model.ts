import type { ApiDomain } from '../../../../src/protocol/admin-api.ts';

/** What the domains screen checks before it asks the server, and how it orders the list. */

// RFC 1035 §2.3.4: a name is at most 255 octets on the wire, 253 characters as text; a label at most 63.
const MAX_NAME = 253;
const MAX_LABEL = 63;
// RFC 1123 §2.1: letters, digits and hyphens; a label neither starts nor ends with a hyphen.
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export type DomainProblem =
  | 'empty'
  | 'too-long'
  | 'label-too-long'
  | 'empty-label'
  | 'characters'
  | 'hyphen'
  | 'one-label'
  | 'numeric'
  | 'exists';

export type DomainCheck =
  { ok: true; name: string; converted: boolean } | { ok: false; problem: DomainProblem };

/**
 * Whether `text` can be added as a mail domain: a DNS name of at least two
 * labels, in the form the server keeps (lower case, no final dot). A name in
 * another script (例え.jp) or typed in full-width letters becomes its ASCII
 * form (RFC 5890 A-labels), which is what DNS and the server know;
 * `converted` says the admin should be shown it. The server checks again.
 */
export function checkDomainName(text: string, existing: readonly string[] = []): DomainCheck {
  const typed = text.trim().replace(/\.$/, '');
  if (typed === '') return { ok: false, problem: 'empty' };
  const ascii = toAscii(typed);
  if (ascii === null) return { ok: false, problem: 'characters' };
  const problem = labelProblem(ascii);
  if (problem) return { ok: false, problem };
  if (existing.includes(ascii)) return { ok: false, problem: 'exists' };
  return { ok: true, name: ascii, converted: ascii !== typed.toLowerCase() };
}

function labelProblem(name: string): DomainProblem | null {
  if (name.length > MAX_NAME) return 'too-long';
  const labels = name.split('.');
  if (labels.some((label) => label === '')) return 'empty-label';
  if (labels.some((label) => label.length > MAX_LABEL)) return 'label-too-long';
  if (labels.some((label) => /[^a-z0-9-]/.test(label))) return 'characters';
  if (labels.some((label) => !LABEL.test(label))) return 'hyphen';
  if (labels.length < 2) return 'one-label';
  // An address such as 192.0.2.1 is not a domain; RFC 3696 §2: a top-level domain is never all digits.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return 'numeric';
  return null;
}

/**
 * The ASCII form, through the URL parser's IDNA processing (UTS #46), which
 * also maps full-width letters and dots. Null when the text holds what no
 * host name can (spaces, "@", "/", ":").
 */
function toAscii(text: string): string | null {
  const lower = text.toLowerCase();
  if (/^[\x21-\x7e]*$/.test(lower)) return lower;
  if (/[\s/@:?#\\[\]%]/.test(lower)) return null;
  try {
    return new URL(`http://${lower}/`).hostname;
  } catch {
    return null;
  }
}

/** Main domains by name, each followed by its aliases: the order the list shows them in. */
export function orderDomains(domains: readonly ApiDomain[]): ApiDomain[] {
  const byName = (a: ApiDomain, b: ApiDomain) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const mains = domains.filter((domain) => domain.aliasOf === null).sort(byName);
  const ordered: ApiDomain[] = [];
  for (const main of mains) {
    ordered.push(main, ...aliasesOf(domains, main.name));
  }
  // An alias whose main domain is not in the list (removed meanwhile) still shows, last.
  const placed = new Set(ordered.map((domain) => domain.name));
  ordered.push(...domains.filter((domain) => !placed.has(domain.name)).sort(byName));
  return ordered;
}

/** The alias domains of a main domain, by name: removing it removes them too (the server cascades). */
export function aliasesOf(domains: readonly ApiDomain[], name: string): ApiDomain[] {
  return domains
    .filter((domain) => domain.aliasOf === name)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The id of a domain's heading in the DNS records view, so the list can take the reader there. */
export function dnsHeadingId(domain: string): string {
  return `dns-${domain}`;
}
