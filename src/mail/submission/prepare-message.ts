import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log.ts';
import { dkimSignature, type DkimSigningKey } from '../dkim/sign.ts';
import { rfc5322Date } from '../queue/dsn.ts';
import type { HeaderSummary } from './header-fields.ts';

/**
 * What a message submission agent adds before sending on (RFC 6409 §8):
 * Message-ID (§8.3) and Date (§8.2) when the mail app left them out, then
 * the DKIM signature of the From domain, on top.
 */
export async function prepareMessage(
  raw: Buffer,
  input: {
    header: HeaderSummary;
    hostname: string;
    key: DkimSigningKey | undefined;
    now: number;
    logger: Logger;
  },
): Promise<Buffer> {
  const added: string[] = [];
  if (!input.header.hasMessageId)
    added.push(`Message-ID: <${randomBytes(16).toString('hex')}@${input.hostname}>`);
  if (!input.header.hasDate) added.push(`Date: ${rfc5322Date(input.now)}`);
  const message = added.length > 0 ? Buffer.concat([Buffer.from(`${added.join('\r\n')}\r\n`), raw]) : raw;
  if (!input.key) return message;
  const signed = await dkimSignature(message, input.key, input.now);
  if (signed.header === '') {
    input.logger.warn(
      { domain: input.key.domain, problems: signed.problems },
      'submission: DKIM signing failed',
    );
    return message;
  }
  return Buffer.concat([Buffer.from(signed.header), message]);
}
