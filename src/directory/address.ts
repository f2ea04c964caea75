import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';

// RFC 5321 §4.5.3.1: local part at most 64 octets, domain at most 255.
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface Address {
  localPart: string;
  domain: string;
  /** local@domain, lower case. */
  address: string;
}

/** Checks a domain name (letters, digits, hyphens, dots) and returns it in lower case. */
export function normalizeDomain(text: string): string {
  const domain = text.trim().toLowerCase().replace(/\.$/, '');
  const labels = domain.split('.');
  if (domain.length === 0 || domain.length > MAX_DOMAIN || !labels.every((l) => DOMAIN_LABEL.test(l))) {
    throw new CooError(ErrorCode.INVALID_ADDRESS, `"${text}" is not a valid domain name`);
  }
  return domain;
}

/** Parses local@domain (dot-atom local part, no quoting); lower-cases both halves. */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  const at = trimmed.lastIndexOf('@');
  const localPart = trimmed.slice(0, at).toLowerCase();
  if (at <= 0 || localPart.length > MAX_LOCAL_PART || !LOCAL_PART.test(localPart)) {
    throw new CooError(ErrorCode.INVALID_ADDRESS, `"${text}" is not a valid address (expected name@domain)`);
  }
  let domain: string;
  try {
    domain = normalizeDomain(trimmed.slice(at + 1));
  } catch {
    throw new CooError(ErrorCode.INVALID_ADDRESS, `"${text}" is not a valid address (bad domain)`);
  }
  return { localPart, domain, address: `${localPart}@${domain}` };
}
