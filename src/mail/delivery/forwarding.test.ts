import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, test } from 'node:test';
import { DiskBlobStore } from '../../blob/disk-blob-store.ts';
import { createLogger } from '../../log.ts';
import { makeForwardCopy, type ForwardSeal } from './forwarding.ts';

const HOSTNAME = 'mx.example.com';
const dir = mkdtempSync(path.join(tmpdir(), 'coo-forwarding-'));
let blobs: DiskBlobStore;
const seal: ForwardSeal = {
  domain: 'example.com',
  selector: 'coo',
  privateKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
};

before(async () => {
  blobs = await DiskBlobStore.open(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Forwards a stored message with these header fields on top; returns the copy's text. */
async function forwarded(fields: string, trustResults = true): Promise<string> {
  const stored = await blobs.put(
    Buffer.from(
      `${fields}From: alice@sender.example\r\nTo: taro@example.com\r\nSubject: hi\r\n\r\nHello.\r\n`,
    ),
  );
  const copy = await makeForwardCopy({
    blobs,
    messageSha256: stored.id,
    deliveredTo: 'taro@example.com',
    seal,
    hostname: HOSTNAME,
    trustResults,
    logger: createLogger('silent'),
  });
  return text(await blobs.get(copy.id));
}

function arcResults(copy: string): string {
  return /^ARC-Authentication-Results: i=1; ([^]*?)\r\n(?![ \t])/m.exec(copy)?.[1] ?? '';
}

test('the ARC set carries our Authentication-Results, the topmost field', async () => {
  const copy = await forwarded(
    'Authentication-Results: MX.example.com;\r\n spf=pass smtp.mailfrom=alice@sender.example;\r\n' +
      ' dmarc=pass (p=NONE arc=none) header.from=sender.example\r\n' +
      'Received: from a by mx.example.com\r\n' +
      'Authentication-Results: mx.example.com; arc=pass; dkim=pass header.d=bank.example\r\n',
  );
  assert.match(arcResults(copy), /^MX\.example\.com; spf=pass smtp\.mailfrom=alice@sender\.example;/);
  assert.match(copy, /^ARC-Seal: i=1;[^]*?\bcv=none\b/m);
  assert.match(copy, /\r\nDelivered-To: taro@example\.com\r\n/);
});

test("a field naming us below another server's topmost one is a forgery and is never sealed", async () => {
  const copy = await forwarded(
    'Authentication-Results: mx.other.example; spf=fail\r\n' +
      'Authentication-Results: mx.example.com; arc=pass; dkim=pass header.d=bank.example\r\n',
  );
  assert.equal(arcResults(copy), 'mx.example.com; none');
  assert.match(copy, /^ARC-Seal: i=1;[^]*?\bcv=none\b/m, 'the forged arc=pass is not taken as ours');
});

test('no Authentication-Results at all: the seal says none', async () => {
  const copy = await forwarded('');
  assert.equal(arcResults(copy), 'mx.example.com; none');
});

test('mail a local user submitted: an Authentication-Results naming us on top is the user’s own and never sealed', async () => {
  const copy = await forwarded(
    'Authentication-Results: mx.example.com; arc=pass; dkim=pass header.d=bank.example\r\n',
    false,
  );
  assert.equal(arcResults(copy), 'mx.example.com; none');
  assert.match(copy, /^ARC-Seal: i=1;[^]*?\bcv=none\b/m);
});
