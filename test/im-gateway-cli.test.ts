import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCoo } from './support/cli.ts';
import { ImTestClient, startImServer, type ImTestServer } from './support/im-server.ts';

describe('messenger devices and login policy from the CLI, while the server runs', () => {
  let server: ImTestServer;
  before(async () => {
    server = await startImServer({ messenger: { revocationPollMs: 100 } });
  });
  after(async () => {
    await server.stop();
  });

  test("coo user devices lists a user's devices; coo user revoke-device closes its session within the poll", async () => {
    const user = await server.createUser('clidev');
    const client = await ImTestClient.connect(server);
    const hello = await client.hello(user.address, user.password, {
      device: { kind: 'mobile', name: 'Pocket' },
      remember: true,
    });
    const listed = await runCoo(['user', 'devices', user.address, '--data', server.dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(`^\\s*${hello.device.id}\\s+mobile\\s+Pocket\\b.*\\byes\\s*$`, 'm'),
    );
    const json = await runCoo(['user', 'devices', user.address, '--json', '--data', server.dataDir]);
    assert.equal((JSON.parse(json.stdout) as { id: number }[])[0]?.id, hello.device.id);

    const revoked = await runCoo([
      'user',
      'revoke-device',
      user.address,
      String(hello.device.id),
      '--data',
      server.dataDir,
    ]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked device/);
    await client.next('session.revoked', undefined, 3000);
    assert.equal((await client.closed).code, 4002);

    const again = await runCoo([
      'user',
      'revoke-device',
      user.address,
      String(hello.device.id),
      '--data',
      server.dataDir,
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no active device/);
    const bad = await runCoo(['user', 'revoke-device', user.address, 'x', '--data', server.dataDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /device ID/);
  });

  test('coo settings get/set im.login-policy changes the policy the server applies', async () => {
    const got = await runCoo(['settings', 'get', 'im.login-policy', '--data', server.dataDir]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim(), 'single');
    const refused = await runCoo([
      'settings',
      'set',
      'im.login-policy',
      'sometimes',
      '--data',
      server.dataDir,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /im\.login-policy/);
    const set = await runCoo(['settings', 'set', 'im.login-policy', 'multiple', '--data', server.dataDir]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout.trim(), 'im.login-policy = multiple');

    const user = await server.createUser('clipolicy');
    const a = await ImTestClient.connect(server);
    await a.hello(user.address, user.password);
    const b = await ImTestClient.connect(server);
    await b.hello(user.address, user.password);
    await a.noFrame('session.replaced', 300);
    assert.equal(a.isOpen, true);
    await Promise.all([a.close(), b.close()]);

    const listed = await runCoo(['settings', 'list', '--data', server.dataDir]);
    assert.match(listed.stdout, /im\.login-policy\s+multiple/);
    const [audited] = await server.services.audit.query({
      action: 'settings.set',
      target: 'im.login-policy',
    });
    assert.deepEqual(audited?.details, { value: 'multiple' });
  });
});
