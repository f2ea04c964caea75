import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Download tickets: a link to one file that works without the device's
 * bearer token for a minute, so a browser can save a file with its own
 * download manager (streamed to disk, resumable) instead of holding it in
 * memory as a blob. A ticket is `DEVICE.EXPIRES.MAC`, the MAC an HMAC-SHA256
 * of the file id, device and expiry keyed with the device's token digest:
 * it needs no secret of its own, holds on every node that shares the
 * database, and dies with the device (revoked, logged out, expired).
 */
export const DOWNLOAD_TICKET_TTL_MS = 60_000;

const TICKET = /^(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedTicket {
  deviceId: number;
  expiresAt: number;
  mac: string;
}

export function downloadTicketMac(
  tokenDigest: string,
  fileId: string,
  deviceId: number,
  expiresAt: number,
): string {
  return createHmac('sha256', tokenDigest)
    .update(`coo-download\n${fileId}\n${deviceId}\n${expiresAt}`)
    .digest('base64url');
}

export function formatDownloadTicket(ticket: ParsedTicket): string {
  return `${ticket.deviceId}.${ticket.expiresAt}.${ticket.mac}`;
}

/** The parts of a ticket; undefined when it is not one. */
export function parseDownloadTicket(text: string): ParsedTicket | undefined {
  const match = TICKET.exec(text);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { deviceId: Number(match[1]), expiresAt: Number(match[2]), mac: match[3] };
}

/** Whether the MAC is the one this device's digest makes for this file (compared in constant time). */
export function downloadTicketHolds(ticket: ParsedTicket, tokenDigest: string, fileId: string): boolean {
  const expected = Buffer.from(downloadTicketMac(tokenDigest, fileId, ticket.deviceId, ticket.expiresAt));
  const given = Buffer.from(ticket.mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
