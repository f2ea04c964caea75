import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI_ACTOR } from '../directory/types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { FAST_AUTH, servicesOver } from '../../test/support/services.ts';
import { describeOnEachDatabase } from '../../test/support/stores.ts';

const PASSWORD = 'correct horse battery';

function code(expected: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.equal((error as { code?: string }).code, expected, String(error));
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  };
}

describeOnEachDatabase('auth', (context) => {
  test('a login by full address, bare name or alias domain succeeds and is audited', async () => {
    const s = servicesOver(context.store);
    await s.directory.domains.add('login.example', CLI_ACTOR);
    await s.directory.domains.add('login-alias.example', CLI_ACTOR, { aliasOf: 'login.example' });
    await s.directory.users.create('alice@login.example', { displayName: 'Alice' }, CLI_ACTOR, {
      password: PASSWORD,
    });
    for (const login of ['alice@login.example', 'ALICE@login-alias.example']) {
      const user = await s.auth.login({ login, password: PASSWORD, protocol: 'imap', remote: '192.0.2.1' });
      assert.equal(user.address, 'alice@login.example');
    }
    const entries = await s.audit.query({ target: 'alice@login.example', action: 'auth.' });
    assert.equal(entries.length, 2);
    assert.ok(
      entries.every((e) => e.outcome === 'success' && e.protocol === 'imap' && e.remote === '192.0.2.1'),
    );
  });

  test('a wrong password or unknown user gets the same answer, and each failure is audited', async () => {
    const s = servicesOver(context.store);
    await s.directory.domains.add('wrong.example', CLI_ACTOR);
    await s.directory.users.create('bob@wrong.example', { displayName: 'Bob' }, CLI_ACTOR, {
      password: PASSWORD,
    });
    await assert.rejects(
      s.auth.login({
        login: 'bob@wrong.example',
        password: 'nope nope',
        protocol: 'http',
        remote: '192.0.2.2',
      }),
      code(ErrorCode.AUTH_FAILED, /wrong address or password/),
    );
    await assert.rejects(
      s.auth.login({
        login: 'ghost@wrong.example',
        password: PASSWORD,
        protocol: 'http',
        remote: '192.0.2.2',
      }),
      code(ErrorCode.AUTH_FAILED, /wrong address or password/),
    );
    const failures = await s.audit.query({ action: 'auth.login', actor: 'ghost@wrong.example' });
    assert.equal(failures[0]?.outcome, 'failure');
    assert.equal(failures[0]?.details.reason, 'unknown-user');
  });

  test('disabled, expired and not-yet-valid accounts are refused with the reason, on the right password only', async () => {
    const s = servicesOver(context.store);
    await s.directory.domains.add('validity.example', CLI_ACTOR);
    const day = 24 * 3600 * 1000;
    await s.directory.users.create('off@validity.example', { displayName: 'Off' }, CLI_ACTOR, {
      password: PASSWORD,
    });
    await s.directory.users.setDisabled('off@validity.example', true, CLI_ACTOR);
    await s.directory.users.create(
      'old@validity.example',
      { displayName: 'Old', validUntil: Date.now() - day },
      CLI_ACTOR,
      {
        password: PASSWORD,
      },
    );
    await s.directory.users.create(
      'new@validity.example',
      { displayName: 'New', validFrom: Date.now() + day },
      CLI_ACTOR,
      {
        password: PASSWORD,
      },
    );
    const attempt = (login: string, password = PASSWORD) =>
      s.auth.login({ login, password, protocol: 'pop3', remote: '192.0.2.3' });
    await assert.rejects(attempt('off@validity.example'), code(ErrorCode.AUTH_DISABLED, /disabled/));
    await assert.rejects(
      attempt('old@validity.example'),
      code(ErrorCode.AUTH_EXPIRED, /expired on \d{4}-\d{2}-\d{2}/),
    );
    await assert.rejects(attempt('new@validity.example'), code(ErrorCode.AUTH_NOT_YET_VALID, /valid from/));
    await assert.rejects(attempt('off@validity.example', 'wrong password'), code(ErrorCode.AUTH_FAILED));
  });

  test('repeated failures throttle the account, even with the right password', async () => {
    const s = servicesOver(context.store);
    await s.directory.domains.add('throttle.example', CLI_ACTOR);
    await s.directory.users.create('carol@throttle.example', { displayName: 'Carol' }, CLI_ACTOR, {
      password: PASSWORD,
    });
    const attempt = (password: string) =>
      s.auth.login({ login: 'carol@throttle.example', password, protocol: 'smtp', remote: '198.51.100.9' });
    for (let i = 0; i < FAST_AUTH.max_failures_per_account; i++) {
      await assert.rejects(attempt('bad password'), code(ErrorCode.AUTH_FAILED));
    }
    await assert.rejects(attempt(PASSWORD), code(ErrorCode.AUTH_THROTTLED, /try again/));
    const [last] = await s.audit.query({ actor: 'carol@throttle.example', action: 'auth.login', limit: 1 });
    assert.equal(last?.details.reason, 'throttled');
  });

  test('a hash made with old parameters is replaced at the next successful login', async () => {
    const s = servicesOver(context.store);
    await s.directory.domains.add('rehash.example', CLI_ACTOR);
    await s.directory.users.create('dave@rehash.example', { displayName: 'Dave' }, CLI_ACTOR, {
      password: PASSWORD,
    });
    const before = (await s.directory.users.requireRow('dave@rehash.example')).password_hash;
    const stronger = servicesOver(context.store, { ...FAST_AUTH, argon2_memory_kib: 2048 });
    await stronger.auth.login({
      login: 'dave@rehash.example',
      password: PASSWORD,
      protocol: 'http',
      remote: '',
    });
    const after = (await s.directory.users.requireRow('dave@rehash.example')).password_hash;
    assert.notEqual(after, before);
    assert.match(after ?? '', /m=2048/);
  });

  test('API tokens act as their admin until revoked, expired or the admin is demoted', async () => {
    const s = servicesOver(context.store);
    await s.directory.domains.add('tokens.example', CLI_ACTOR);
    await s.directory.users.create('boss@tokens.example', { displayName: 'Boss', isAdmin: true }, CLI_ACTOR);
    await s.directory.users.create(
      'deputy@tokens.example',
      { displayName: 'Deputy', isAdmin: true },
      CLI_ACTOR,
    );
    await s.directory.users.create('staff@tokens.example', { displayName: 'Staff' }, CLI_ACTOR);
    await assert.rejects(
      s.tokens.create('nope', 'staff@tokens.example', CLI_ACTOR),
      code(ErrorCode.AUTH_FORBIDDEN, /not an administrator/),
    );
    const { token, id } = await s.tokens.create('monitoring', 'deputy@tokens.example', CLI_ACTOR);
    assert.match(token, /^coo_[A-Za-z0-9_-]{43}$/);
    assert.equal((await s.tokens.authenticate(token)).user.address, 'deputy@tokens.example');
    await assert.rejects(s.tokens.authenticate(token + 'x'), code(ErrorCode.AUTH_REQUIRED));

    await s.directory.users.update('deputy@tokens.example', { isAdmin: false }, CLI_ACTOR);
    await assert.rejects(s.tokens.authenticate(token), code(ErrorCode.AUTH_FORBIDDEN));
    await s.directory.users.update('deputy@tokens.example', { isAdmin: true }, CLI_ACTOR);
    await s.tokens.revoke(id, CLI_ACTOR);
    await assert.rejects(s.tokens.authenticate(token), code(ErrorCode.AUTH_REQUIRED));
    await assert.rejects(s.tokens.revoke(id, CLI_ACTOR), code(ErrorCode.TOKEN_UNKNOWN));

    const expiring = await s.tokens.create('short', 'boss@tokens.example', CLI_ACTOR, Date.now() + 1000);
    await assert.rejects(
      s.tokens.authenticate(expiring.token, Date.now() + 5000),
      code(ErrorCode.AUTH_REQUIRED),
    );
    const listed = await s.tokens.list();
    assert.ok(listed.some((t) => t.id === id && t.revoked && t.owner === 'deputy@tokens.example'));
    assert.ok(!JSON.stringify(listed).includes(token), 'the token itself is never stored or listed');
  });
});
