import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { CLI_ACTOR, type Actor } from '../../directory/types.ts';
import { BotService } from './bot-service.ts';

const ADMIN: Actor = { name: 'admin@example.com', protocol: 'http', remote: '192.0.2.7' };

describeOnEachDatabase('bots', (context) => {
  const services = () => servicesOver(context.store);
  const bots = () => new BotService(services());

  before(async () => {
    await services().directory.domains.add('example.com', CLI_ACTOR);
    await services().directory.users.create('taken@example.com', { displayName: 'A person' }, CLI_ACTOR);
  });

  test('a bot gets an account NAME@<default domain> without password, and a token shown once', async () => {
    const { bot, token } = await bots().create('Monitoring', '監視システム', ADMIN);
    assert.match(token, /^coob_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      [bot.name, bot.address, bot.displayName, bot.createdBy, bot.lastUsedAt],
      ['monitoring', 'monitoring@example.com', '監視システム', ADMIN.name, null],
    );
    const account = await services().directory.users.get('monitoring@example.com');
    assert.equal(account.hasPassword, false, 'it cannot log in');
    assert.equal(account.isAdmin, false);

    const identity = await bots().authenticate(token);
    assert.deepEqual(
      [identity.name, identity.address, identity.userId],
      ['monitoring', bot.address, account.id],
    );
    const [listed] = (await bots().list()).filter((b) => b.name === 'monitoring');
    assert.ok(listed?.lastUsedAt, 'the first use is recorded');
    assert.equal(JSON.stringify(await bots().list()).includes(token), false, 'the list never has the token');

    const audit = await services().audit.query({ action: 'bot.create', target: 'monitoring' });
    assert.equal(audit[0]?.actor, ADMIN.name);
    assert.equal(audit[0]?.remote, ADMIN.remote);
  });

  test('names are checked; a second bot of a name and a name taken by a person are refused', async () => {
    for (const bad of ['', '-x', 'a b', 'ünicode', 'x'.repeat(33), 'a@b', '../x']) {
      await assert.rejects(bots().create(bad, undefined, ADMIN), { code: 'INVALID_INPUT' }, bad);
    }
    await bots().create('backup', undefined, ADMIN);
    await assert.rejects(bots().create('backup', undefined, ADMIN), { code: 'BOT_EXISTS' });
    await assert.rejects(bots().create('taken', undefined, ADMIN), {
      code: 'USER_EXISTS',
      message: /taken@example.com is taken/,
    });
    assert.equal(
      (await bots().list()).find((b) => b.name === 'backup')?.displayName,
      'backup',
      'the name by default',
    );
  });

  test('a token that is not a bot token, or a guessed one, is refused with AUTH_REQUIRED', async () => {
    for (const token of ['', 'coo_abc', 'coob_', `coob_${'A'.repeat(43)}`, 'Bearer x']) {
      await assert.rejects(bots().authenticate(token), { code: 'AUTH_REQUIRED' }, token);
    }
  });

  test('removing a bot kills its token and disables its account; adding it again revives it with a new token', async () => {
    const first = await bots().create('groupware', 'Groupware', ADMIN);
    await bots().remove('GroupWare', ADMIN);
    await assert.rejects(bots().authenticate(first.token), { code: 'AUTH_REQUIRED' });
    assert.equal((await services().directory.users.get('groupware@example.com')).disabled, true);
    assert.equal(
      (await bots().list()).some((b) => b.name === 'groupware'),
      false,
    );
    await assert.rejects(bots().remove('groupware', ADMIN), { code: 'BOT_UNKNOWN' });
    await assert.rejects(bots().remove('never-was', ADMIN), { code: 'BOT_UNKNOWN' });

    const again = await bots().create('groupware', 'Groupware 2', CLI_ACTOR);
    assert.notEqual(again.token, first.token);
    await assert.rejects(
      bots().authenticate(first.token),
      { code: 'AUTH_REQUIRED' },
      'the old token stays dead',
    );
    const identity = await bots().authenticate(again.token);
    const account = await services().directory.users.get('groupware@example.com');
    assert.equal(identity.userId, account.id, 'the same account, so history keeps one sender');
    assert.equal(account.disabled, false);
    assert.equal(account.displayName, 'Groupware 2');
    const removed = await services().audit.query({ action: 'bot.remove', target: 'groupware' });
    assert.equal(removed.length, 1);
  });

  test('a bot whose account an admin disabled cannot post', async () => {
    const { token } = await bots().create('disabled-one', undefined, ADMIN);
    await services().directory.users.setDisabled('disabled-one@example.com', true, CLI_ACTOR);
    await assert.rejects(bots().authenticate(token), { code: 'AUTH_DISABLED' });
  });
});
