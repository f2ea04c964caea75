import assert from 'node:assert/strict';
import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { dkimDnsRecord, generateDkimKey, generateDkimKeyAsync } from './keys.ts';

describe('DKIM keys', () => {
  it('signs with the private key, and the signature verifies with the key rebuilt from the DNS p= value', async () => {
    const key = generateDkimKey();
    const publicKey = createPublicKey({
      key: Buffer.from(key.publicKeyBase64, 'base64'),
      format: 'der',
      type: 'spki',
    });
    assert.equal(publicKey.asymmetricKeyType, 'rsa');
    assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    // rsa-sha256 is RSASSA-PKCS1-v1_5 over SHA-256 (RFC 6376 §3.3.1), node's default padding for RSA.
    const headers = Buffer.from('from:Alice <alice@example.com>\r\nsubject:hi\r\n');
    const signature = sign('sha256', headers, key.privateKeyPem);
    assert.equal(verify('sha256', headers, publicKey, signature), true);
    assert.equal(verify('sha256', Buffer.from('tampered'), publicKey, signature), false);
  });

  it('generates off the event loop too, with the same result shape', async () => {
    const key = await generateDkimKeyAsync(new Date('2026-11-03T10:00:00Z'));
    assert.equal(key.selector, 'coo202611');
    const publicKey = createPublicKey({
      key: Buffer.from(key.publicKeyBase64, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const signature = sign('sha256', Buffer.from('x'), key.privateKeyPem);
    assert.equal(verify('sha256', Buffer.from('x'), publicKey, signature), true);
  });

  it('names the selector after the UTC year and month of creation', () => {
    assert.equal(generateDkimKey(new Date('2026-11-03T10:00:00Z')).selector, 'coo202611');
    assert.equal(generateDkimKey(new Date('2027-01-31T23:59:59Z')).selector, 'coo202701');
  });

  it('builds the TXT record, cut into strings a zone file accepts', () => {
    const key = generateDkimKey();
    const record = dkimDnsRecord('Example.COM.', 'coo202611', key.publicKeyBase64);
    assert.equal(record.name, 'coo202611._domainkey.example.com');
    assert.equal(record.type, 'TXT');
    assert.equal(record.value, `v=DKIM1; k=rsa; p=${key.publicKeyBase64}`);
    assert.equal(record.strings.join(''), record.value);
    assert.ok(record.strings.length > 1);
    assert.ok(record.strings.every((text) => text.length <= 255));
  });
});
