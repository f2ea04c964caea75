import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateVapidKeys } from './vapid.ts';

describe('generateVapidKeys', () => {
  it('gives a 65-byte uncompressed point and a 32-byte scalar, base64url without padding', () => {
    for (let i = 0; i < 20; i++) {
      const keys = generateVapidKeys();
      assert.match(keys.publicKey, /^[A-Za-z0-9_-]{87}$/);
      assert.match(keys.privateKey, /^[A-Za-z0-9_-]{43}$/);
      const point = Buffer.from(keys.publicKey, 'base64url');
      assert.equal(point.length, 65);
      assert.equal(point[0], 0x04);
      assert.equal(Buffer.from(keys.privateKey, 'base64url').length, 32);
    }
  });

  it('signs with the private key re-imported as a JWK, verifiable with the public point', () => {
    const keys = generateVapidKeys();
    const point = Buffer.from(keys.publicKey, 'base64url');
    const x = point.subarray(1, 33).toString('base64url');
    const y = point.subarray(33).toString('base64url');
    const privateKey = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', x, y, d: keys.privateKey },
      format: 'jwk',
    });
    const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
    // ES256 as in a VAPID JWT (RFC 8292 §2): raw r ‖ s signature.
    const claims = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZSJ9');
    const signature = sign('sha256', claims, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    assert.equal(signature.length, 64);
    assert.equal(verify('sha256', claims, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), true);
  });
});
