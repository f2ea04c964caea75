import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCooError } from '../errors.ts';
import {
  burnPasswordTime,
  checkPasswordPolicy,
  hashPassword,
  verifyPassword,
  type PasswordParams,
} from './password.ts';

// Small cost so the suite stays fast; one test below uses the defaults.
const FAST: PasswordParams = { memoryKib: 1024, passes: 1, parallelism: 1 };
const DEFAULTS: PasswordParams = { memoryKib: 19456, passes: 2, parallelism: 1 };

describe('password hashing', () => {
  it('hashes to an argon2id PHC string with a 16-byte salt and a 32-byte tag', async () => {
    const phc = await hashPassword('correct horse', FAST);
    const match = /^\$argon2id\$v=19\$m=1024,t=1,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
    assert.ok(match, phc);
    assert.equal(Buffer.from(match[1] ?? '', 'base64').length, 16);
    assert.equal(Buffer.from(match[2] ?? '', 'base64').length, 32);
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    assert.notEqual(await hashPassword('correct horse', FAST), await hashPassword('correct horse', FAST));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const phc = await hashPassword('correct horse', FAST);
    assert.deepEqual(await verifyPassword('correct horse', phc, FAST), { ok: true, needsRehash: false });
    assert.deepEqual(await verifyPassword('correct horsf', phc, FAST), { ok: false, needsRehash: false });
    assert.deepEqual(await verifyPassword('', phc, FAST), { ok: false, needsRehash: false });
  });

  it('round-trips with the default cost from the config', async () => {
    const phc = await hashPassword('Grüße aus Köln 🐦', DEFAULTS);
    assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.deepEqual(await verifyPassword('Grüße aus Köln 🐦', phc, DEFAULTS), {
      ok: true,
      needsRehash: false,
    });
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const phc = await hashPassword('caf\u00e9 au lait', FAST);
    assert.equal((await verifyPassword('cafe\u0301 au lait', phc, FAST)).ok, true);
  });

  it('verifies a hash made by another argon2 implementation (argon2-cffi)', async () => {
    const phc =
      '$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg';
    const result = await verifyPassword('correct horse battery staple', phc, { ...DEFAULTS });
    assert.deepEqual(result, { ok: true, needsRehash: true });
  });

  it('asks for a rehash when the stored cost differs from the current one', async () => {
    const phc = await hashPassword('correct horse', FAST);
    for (const current of [
      { ...FAST, memoryKib: 2048 },
      { ...FAST, passes: 2 },
      { ...FAST, parallelism: 2 },
    ]) {
      assert.deepEqual(await verifyPassword('correct horse', phc, current), { ok: true, needsRehash: true });
    }
  });

  it('never asks for a rehash on a wrong password', async () => {
    const phc = await hashPassword('correct horse', FAST);
    assert.deepEqual(await verifyPassword('wrong horse', phc, DEFAULTS), { ok: false, needsRehash: false });
  });

  it('answers a malformed or hostile PHC string with ok:false, never an exception', async () => {
    const good = await hashPassword('correct horse', FAST);
    const [, , , , salt, tag] = good.split('$');
    const malformed = [
      '',
      'correct horse',
      '$argon2id$',
      good.slice(0, -1) + '!',
      good + '$extra',
      good.replace('$v=19$', '$v=16$'),
      good.replace('argon2id', 'scrypt'),
      good.replace('m=1024', 'm=abc'),
      good.replace('t=1', 't=0'),
      good.replace('p=1', 'p=0'),
      // A cost that would allocate 9 GiB: refused, not attempted.
      good.replace('m=1024', 'm=9437184'),
      `$argon2id$v=19$m=1024,t=1,p=1$${salt ?? ''}$`,
      `$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$${tag ?? ''}`, // 4-byte salt
      `$argon2id$v=19$m=1024,t=1,p=1$${salt ?? ''}$QUJD`, // 3-byte tag
      `$argon2id$v=19$m=1024,t=1,p=1$${salt ?? ''}$${tag ?? ''}==`, // padded
      `$argon2id$v=19$m=1024,t=1,p=1$${salt ?? ''}$${(tag ?? '') + 'AA'}`, // no byte count has this length
    ];
    for (const phc of malformed) {
      assert.deepEqual(
        await verifyPassword('correct horse', phc, FAST),
        { ok: false, needsRehash: false },
        phc,
      );
    }
  });

  it('burns the time of one hash without failing', async () => {
    await burnPasswordTime('whatever password', FAST);
  });
});

describe('password policy', () => {
  function policyError(password: string): { code: string; message: string } {
    try {
      checkPasswordPolicy(password);
    } catch (error) {
      assert.ok(isCooError(error));
      return { code: error.code, message: error.message };
    }
    assert.fail(`password of length ${password.length} was accepted`);
  }

  it('refuses a password shorter than 8 characters as too weak', () => {
    assert.deepEqual(policyError('seven77'), {
      code: 'PASSWORD_TOO_WEAK',
      message: 'the password is too short: it has 7 characters, at least 8 are needed',
    });
    assert.equal(policyError('').code, 'PASSWORD_TOO_WEAK');
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    checkPasswordPolicy('パスワード🐦🐦🐦');
    assert.equal(policyError('🐦🐦🐦🐦🐦🐦🐦').code, 'PASSWORD_TOO_WEAK');
  });

  it('refuses a password longer than 1024 bytes', () => {
    checkPasswordPolicy('x'.repeat(1024));
    assert.deepEqual(policyError('é'.repeat(513)), {
      code: 'INVALID_INPUT',
      message: 'the password is too long: it has 1026 bytes, at most 1024 are allowed',
    });
  });

  it('accepts an ordinary password', () => {
    checkPasswordPolicy('correct horse');
  });
});
