import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ADMIN,
  ADMIN_PASSWORD,
  ImTestClient,
  startImServer,
  type ImTestServer,
} from './support/im-server.ts';

/** The web console calls the admin API with the device token of the admin's own login. */
describe('admin API with a messenger device token', () => {
  let server: ImTestServer;

  before(async () => {
    server = await startImServer();
  });
  after(async () => {
    await server?.stop();
  });

  async function deviceToken(login: string, password: string, remember: boolean): Promise<string> {
    const client = await ImTestClient.connect(server);
    const hello = (await client.hello(login, password, { remember })) as {
      resumeToken?: string;
      sessionToken?: string;
      user: { admin: boolean };
    };
    const token = hello.resumeToken ?? hello.sessionToken;
    assert.ok(token);
    return token;
  }

  test("an administrator's remembered device token works on the admin API, and hello says admin", async () => {
    const client = await ImTestClient.connect(server);
    const hello = (await client.hello(ADMIN, ADMIN_PASSWORD, { remember: true })) as {
      resumeToken: string;
      user: { admin: boolean };
    };
    assert.equal(hello.user.admin, true);
    const me = await server.call('GET', '/api/v1/me', { token: hello.resumeToken });
    assert.equal(me.status, 200, me.text);
    assert.equal((me.json as { address: string }).address, ADMIN);
    await client.close();
  });

  test('a session token (login not remembered) works while its connection lasts', async () => {
    const token = await deviceToken(ADMIN, ADMIN_PASSWORD, false);
    const users = await server.call('GET', '/api/v1/users', { token });
    assert.equal(users.status, 200, users.text);
  });

  test("a non-admin's device token is 403, and a made-up one 401", async () => {
    const user = await server.createUser('plain-device');
    const token = await deviceToken(user.address, user.password, true);
    const forbidden = await server.call('GET', '/api/v1/users', { token });
    assert.equal(forbidden.status, 403);
    assert.equal((forbidden.json as { error: { code: string } }).error.code, 'AUTH_FORBIDDEN');
    const unknown = await server.call('GET', '/api/v1/users', { token: `coo_dev_${'A'.repeat(43)}` });
    assert.equal(unknown.status, 401);
    assert.match(String(unknown.headers['www-authenticate']), /invalid_token/);
  });

  test('a revoked admin device token stops working on the admin API', async () => {
    const token = await deviceToken(ADMIN, ADMIN_PASSWORD, true);
    const devices = await server.call('GET', `/api/v1/users/${ADMIN}/devices`);
    const list = (devices.json as { devices: Array<{ id: number }> }).devices;
    const newest = list.reduce((a, b) => (a.id > b.id ? a : b));
    const revoked = await server.call('DELETE', `/api/v1/users/${ADMIN}/devices/${newest.id}`);
    assert.ok(revoked.status === 204 || revoked.status === 200, revoked.text);
    const after = await server.call('GET', '/api/v1/me', { token });
    assert.equal(after.status, 401);
  });

  test('the dashboard of a running server counts who is online on this node and lists its listeners', async () => {
    const user = await server.createUser('dashboard-online');
    const client = await ImTestClient.connect(server);
    await client.hello(user.address, user.password);
    const dashboard = await server.call('GET', '/api/v1/dashboard');
    assert.equal(dashboard.status, 200, dashboard.text);
    const body = dashboard.json as {
      online: { users: number; people: Array<{ address: string }> } | null;
      listeners: Array<{ name: string; running: boolean }> | null;
    };
    assert.ok(body.online && body.online.users >= 1);
    assert.ok(body.online.people.some((person) => person.address === user.address));
    assert.ok(body.listeners?.some((listener) => listener.name === 'http' && listener.running));
    await client.close();
  });
});
