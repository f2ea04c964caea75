import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { authenticate } from 'mailauth';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { configuredBlobStore, type BlobStore } from '../src/blob/blob-store.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { MailSettingsService } from '../src/mail/delivery/mail-settings-service.ts';
import type { DnsResolver } from '../src/mail/mail-system.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { listQueueRows } from '../src/store/mail-queue.ts';
import { startImServer, type ImTestServer } from './support/im-server.ts';
import { pythonSmtp } from './support/smtp-inbound.ts';

/**
 * RFC 8601 §5 end to end: a message from the internet that carries
 * Authentication-Results fields claiming our authserv-id (the server's host
 * name, "example.com" here) is stored without them, under our own results,
 * and the sender's DKIM signature still verifies on the stored copy.
 */

const records = new Map<string, unknown>();
const resolver: DnsResolver = async (name, rrtype) => {
  const answer = records.get(`${name.toLowerCase()}:${rrtype}`);
  if (answer !== undefined) return answer;
  throw Object.assign(new Error(`query${rrtype} ECONNREFUSED ${name}`), { code: 'ECONNREFUSED' });
};

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Signs with simple/simple canonicalisation: any changed byte of a signed field or the body breaks it. */
async function signedByBank(message: string): Promise<string> {
  const signature = {
    signingDomain: 'bank.example',
    selector: 'sel',
    privateKey,
    canonicalization: 'simple/simple',
    algorithm: 'rsa-sha256',
  };
  const result = await dkimSign(Buffer.from(message), { ...signature, signatureData: [signature] });
  assert.ok(result.signatures, 'the test message is signed');
  return result.signatures.replace(/\r?\n/g, '\r\n') + message;
}

/** The forgeries a phisher puts in: folded, with a version number, quoted, in another case. */
const FORGED =
  'Authentication-Results: example.com;\r\n\tdkim=pass header.d=bank.example;\r\n\tspf=pass;\r\n\tarc=pass\r\n';
const FORGED_MORE =
  'authentication-results: EXAMPLE.COM 1; dmarc=pass header.from=bank.example\r\n' +
  'Authentication-Results: (looks official) "example.com"; dkim=pass\r\n';
const OTHER_HOP = 'Authentication-Results: mx.bank.example; spf=pass smtp.mailfrom=info@bank.example\r\n';

describe('inbound SMTP: forged Authentication-Results', { concurrency: true }, () => {
  let server: ImTestServer;
  let blobs: BlobStore;

  before(async () => {
    records.set('sel._domainkey.bank.example:TXT', [[`v=DKIM1; k=rsa; p=${publicKey}`]]);
    server = await startImServer({ mail: { resolver } });
    blobs = configuredBlobStore(server.services.config, server.services.store.db);
  });
  after(() => server.stop());

  async function storedCopyFor(userId: number): Promise<string> {
    const inbox = await findMailbox(server.services.store.db, userId, 'INBOX');
    const [row] = inbox ? await listMessages(server.services.store.db, inbox.id) : [];
    assert.ok(row, 'the message was delivered');
    return text(await blobs.get(row.blob_sha256));
  }

  test('fields claiming our authserv-id are removed before ours goes on top; others stay; DKIM still verifies', async () => {
    const user = await server.createUser('phished');
    const signed = await signedByBank(
      `From: Bank <info@bank.example>\r\nTo: ${user.address}\r\nSubject: Your account\r\n` +
        `Message-ID: <forged-ar-1@bank.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0900\r\n\r\n` +
        `Please log in.\r\n.leading dot\r\n`,
    );
    // Added on the way, after signing (unsigned fields, as a relay or the phisher would add them).
    const [signature, rest] = splitAfterSignature(signed);
    const sent = `${FORGED}${signature}${OTHER_HOP}${FORGED_MORE}${rest}`;
    const result = await pythonSmtp({
      port: server.mailPort('smtp'),
      ca: server.ca,
      from: 'info@bank.example',
      to: [user.address],
      message: sent,
    });
    assert.equal(result.ok, true, JSON.stringify(result));

    const stored = await storedCopyFor(user.id);
    const tail = `${signature}${OTHER_HOP}${rest}`;
    assert.ok(
      stored.endsWith(tail),
      'below our fields: the message as sent, less the forged fields, byte for byte',
    );
    const top = stored.slice(0, -tail.length);
    assert.match(top, /^Return-Path: <info@bank\.example>\r\n/);
    assert.match(top, /\r\nAuthentication-Results: example\.com;[^]*dkim=pass header\.i=@bank\.example/);
    assert.match(top, /\r\nReceived: from [^]*\(Coo\)[^]*\r\n$/);
    assert.equal((stored.match(/^Authentication-Results:/gim) ?? []).length, 2, "ours and the other hop's");
    assert.doesNotMatch(stored, /"example\.com"|EXAMPLE\.COM 1|header\.d=bank\.example;/);

    const verified = await authenticate(Buffer.from(stored), {
      ip: '127.0.0.1',
      helo: 'client.example.net',
      sender: 'info@bank.example',
      mta: 'check.example',
      resolver: async (name: string, rrtype: string) => (await resolver(name, rrtype)) as string[][],
    });
    assert.deepEqual(
      verified.dkim.results.map((row) => [row.signingDomain, row.status.result]),
      [['bank.example', 'pass']],
    );
  });

  test('forwarding seals our own results into the ARC set, never a forged field', async () => {
    const user = await server.createUser('forwards');
    await new MailSettingsService(server.services).setForwarding(
      user.address,
      { target: 'far@remote.example', keepCopy: false },
      CLI_ACTOR,
    );
    const sent =
      `${FORGED}From: Alice <alice@sender.example>\r\nTo: ${user.address}\r\nSubject: Forward me\r\n` +
      `Message-ID: <forged-ar-2@sender.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0900\r\n\r\nHello.\r\n`;
    const result = await pythonSmtp({
      port: server.mailPort('smtp'),
      ca: server.ca,
      from: 'alice@sender.example',
      to: [user.address],
      message: sent,
    });
    assert.equal(result.ok, true, JSON.stringify(result));
    const row = (await listQueueRows(server.services.store.db)).find(
      (r) => r.kind === 'forward' && r.recipient === 'far@remote.example',
    );
    assert.ok(row, 'the forwarded copy is queued');
    const copy = await text(await blobs.get(row.blob_sha256));
    const aar = /^ARC-Authentication-Results: i=1; ([^]*?)\r\n(?![ \t])/m.exec(copy)?.[1] ?? '';
    assert.match(aar, /^example\.com;/);
    assert.match(aar, /spf=temperror/, 'our own checks (offline DNS) are what is sealed');
    assert.doesNotMatch(aar, /header\.d=bank\.example/);
    assert.match(
      copy,
      /^ARC-Seal: i=1;[^]*?\bcv=none\b/m,
      'the chain validation is ours, not the forged arc=pass',
    );
  });
});

/** The DKIM-Signature field (with its folded lines) and the rest of a signed message. */
function splitAfterSignature(signed: string): [string, string] {
  const end = signed.search(/\r\n(?![ \t])/) + 2;
  return [signed.slice(0, end), signed.slice(end)];
}
