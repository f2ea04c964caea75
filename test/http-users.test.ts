import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, describeHttpApi, DOMAIN, lastAuditEntry, type TestServer } from './support/http-server.ts';

const PASSWORD = 'a long enough password';

async function createUser(server: TestServer, address: string, extra: Record<string, unknown> = {}) {
  const response = await server.call('POST', '/api/v1/users', {
    body: { address, displayName: 'Someone', ...extra },
  });
  assert.equal(response.status, 201, response.text);
  return response.json;
}

function assertAudited(entry: Record<string, unknown> | undefined, action: string) {
  assert.ok(entry, `an audit entry for ${action}`);
  assert.equal(entry.action, action);
  assert.equal(entry.actor, ADMIN);
  assert.equal(entry.protocol, 'http');
  assert.equal(entry.remote, '127.0.0.1');
  assert.equal(entry.outcome, 'success');
}

describeHttpApi('REST API: users', (server) => {
  test('POST /users creates a user with every field, answers 201 with Location, and audits it', async () => {
    await server().call('POST', '/api/v1/org/units', { body: { path: 'Sales/Tokyo', parents: true } });
    const address = `hanako@${DOMAIN}`;
    const response = await server().call('POST', '/api/v1/users', {
      body: {
        address: `  Hanako@${DOMAIN.toUpperCase()} `,
        displayName: '山田 花子',
        nameReading: 'やまだ はなこ',
        title: '課長',
        phone: '+81 3-1234-5678',
        unit: 'Sales/Tokyo',
        validFrom: '2020-04-01',
        validUntil: '2099-03-31T12:00:00Z',
        quotaBytes: 5_000_000,
        password: PASSWORD,
      },
    });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.headers.location, `/api/v1/users/${encodeURIComponent(address)}`);
    const user = response.json;
    assert.equal(user.address, address);
    assert.equal(user.displayName, '山田 花子');
    assert.equal(user.nameReading, 'やまだ はなこ');
    assert.equal(user.title, '課長');
    assert.equal(user.unit, 'Sales/Tokyo');
    assert.equal(user.isAdmin, false);
    assert.equal(user.disabled, false);
    assert.equal(user.validUntil, '2099-03-31T12:00:00.000Z');
    assert.equal(user.validFrom, new Date(2020, 3, 1).toISOString());
    assert.equal(user.quotaBytes, 5_000_000);
    assert.equal(user.hasPassword, true);
    assert.equal('passwordHash' in user || 'password' in user, false);

    const read = await server().call('GET', `/api/v1/users/${address}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, user);
    const entry = await lastAuditEntry(server(), 'user.create', address);
    assertAudited(entry, 'user.create');
    assert.equal(JSON.stringify(entry).includes(PASSWORD), false, 'the password is not in the audit log');
  });

  test('the new user can log in with the password given', async () => {
    const row = await server().server.services.auth.login({
      login: `hanako@${DOMAIN}`,
      password: PASSWORD,
      protocol: 'test',
      remote: '127.0.0.1',
    });
    assert.equal(row.address, `hanako@${DOMAIN}`);
  });

  test('GET /users lists, searches, filters by unit (recursively) and pages', async () => {
    await createUser(server(), `list-a@${DOMAIN}`, { unit: 'Sales', displayName: 'Alpha Lister' });
    await createUser(server(), `list-b@${DOMAIN}`, { unit: 'Sales/Tokyo', displayName: 'Beta Lister' });

    const all = await server().call('GET', '/api/v1/users');
    assert.equal(all.status, 200);
    assert.equal(all.json.limit, 100);
    assert.equal(all.json.offset, 0);
    const addresses = all.json.users.map((u: { address: string }) => u.address);
    assert.deepEqual(addresses, [...addresses].sort());
    assert.ok(addresses.includes(ADMIN));

    const search = await server().call('GET', '/api/v1/users?search=lister');
    assert.deepEqual(
      search.json.users.map((u: { address: string }) => u.address),
      [`list-a@${DOMAIN}`, `list-b@${DOMAIN}`],
    );
    const direct = await server().call('GET', '/api/v1/users?unit=Sales');
    assert.deepEqual(
      direct.json.users.map((u: { address: string }) => u.address),
      [`list-a@${DOMAIN}`],
    );
    const recursive = await server().call(
      'GET',
      `/api/v1/users?unit=${encodeURIComponent('Sales')}&recursive=true`,
    );
    assert.deepEqual(
      recursive.json.users.map((u: { address: string }) => u.address),
      [`hanako@${DOMAIN}`, `list-a@${DOMAIN}`, `list-b@${DOMAIN}`],
    );
    const page = await server().call('GET', '/api/v1/users?search=lister&limit=1&offset=1');
    assert.equal(page.json.limit, 1);
    assert.equal(page.json.offset, 1);
    assert.deepEqual(
      page.json.users.map((u: { address: string }) => u.address),
      [`list-b@${DOMAIN}`],
    );
  });

  test('PATCH /users/{address} changes unit, admin, quota and validity, and audits it', async () => {
    const address = `patch@${DOMAIN}`;
    await createUser(server(), address);
    const response = await server().call('PATCH', `/api/v1/users/${address}`, {
      body: {
        unit: 'Sales/Tokyo',
        isAdmin: true,
        quotaBytes: 0,
        validUntil: '2098-12-31T00:00:00Z',
        title: 'Lead',
      },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.unit, 'Sales/Tokyo');
    assert.equal(response.json.isAdmin, true);
    assert.equal(response.json.quotaBytes, 0);
    assert.equal(response.json.validUntil, '2098-12-31T00:00:00.000Z');
    assert.equal(response.json.title, 'Lead');

    const cleared = await server().call('PATCH', `/api/v1/users/${address}`, {
      body: { unit: null, isAdmin: false, quotaBytes: null, validUntil: null },
    });
    assert.equal(cleared.status, 200, cleared.text);
    const stored = await server().server.services.directory.users.get(address);
    assert.equal(stored.unit, null);
    assert.equal(stored.isAdmin, false);
    assert.equal(stored.quotaBytes, null);
    assert.equal(stored.validUntil, null);
    assert.equal(stored.title, 'Lead');
    assertAudited(await lastAuditEntry(server(), 'user.update', address), 'user.update');
  });

  test('POST /users/{address}/password sets a password that then works, audited', async () => {
    const address = `pw@${DOMAIN}`;
    const created = await createUser(server(), address);
    assert.equal(created.hasPassword, false);
    const response = await server().call('POST', `/api/v1/users/${address}/password`, {
      body: { password: PASSWORD },
    });
    assert.equal(response.status, 204);
    assert.equal(response.text, '');
    const row = await server().server.services.auth.login({
      login: address,
      password: PASSWORD,
      protocol: 'test',
      remote: '::1',
    });
    assert.equal(row.address, address);
    assertAudited(await lastAuditEntry(server(), 'user.password', address), 'user.password');
  });

  test('POST /users/{address}/disable and /enable switch the account, audited', async () => {
    const address = `toggle@${DOMAIN}`;
    await createUser(server(), address, { password: PASSWORD });
    const disabled = await server().call('POST', `/api/v1/users/${address}/disable`);
    assert.equal(disabled.status, 200);
    assert.equal(disabled.json.disabled, true);
    await assert.rejects(
      server().server.services.auth.login({
        login: address,
        password: PASSWORD,
        protocol: 'test',
        remote: '::1',
      }),
      { code: 'AUTH_DISABLED' },
    );
    assertAudited(await lastAuditEntry(server(), 'user.disable', address), 'user.disable');
    // A JSON content type with an empty body is no body, not a parse error.
    const enabled = await server().call('POST', `/api/v1/users/${address}/enable`, { rawBody: '' });
    assert.equal(enabled.status, 200, enabled.text);
    assert.equal(enabled.json.disabled, false);
    assertAudited(await lastAuditEntry(server(), 'user.enable', address), 'user.enable');
  });

  test('a malformed address is 400 INVALID_ADDRESS', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      body: { address: 'not an address', displayName: 'X' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_ADDRESS');
    assert.match(response.json.error.message, /"not an address" is not a valid address/);
  });

  test('a weak password is 400 PASSWORD_TOO_WEAK and creates nothing', async () => {
    const address = `weak@${DOMAIN}`;
    const response = await server().call('POST', '/api/v1/users', {
      body: { address, displayName: 'W', password: 'abc' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'PASSWORD_TOO_WEAK');
    assert.ok(response.json.error.message.length > 0);
    assert.equal((await server().call('GET', `/api/v1/users/${address}`)).status, 404);
  });

  test('a duplicate user is 409 USER_EXISTS', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      body: { address: ADMIN, displayName: 'Again' },
    });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'USER_EXISTS');
    assert.match(response.json.error.message, new RegExp(`user ${ADMIN} already exists`));
  });

  test('an unknown user is 404 USER_UNKNOWN on every user route', async () => {
    const nobody = `nobody@${DOMAIN}`;
    for (const [method, path, body] of [
      ['GET', `/api/v1/users/${nobody}`, undefined],
      ['PATCH', `/api/v1/users/${nobody}`, { title: 'x' }],
      ['POST', `/api/v1/users/${nobody}/password`, { password: PASSWORD }],
      ['POST', `/api/v1/users/${nobody}/disable`, undefined],
    ] as const) {
      const response = await server().call(method, path, { body });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.json.error.code, 'USER_UNKNOWN');
      assert.match(response.json.error.message, /unknown user nobody@example\.com/);
    }
  });

  test('a user in an unknown domain is 404 DOMAIN_UNKNOWN', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      body: { address: 'x@elsewhere.test', displayName: 'X' },
    });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'DOMAIN_UNKNOWN');
    assert.match(response.json.error.message, /unknown domain "elsewhere\.test"/);
  });

  test('a user in an unknown unit is 404 UNIT_UNKNOWN naming the missing part', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      body: { address: `lost@${DOMAIN}`, displayName: 'Lost', unit: 'Sales/Osaka' },
    });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'UNIT_UNKNOWN');
    assert.match(response.json.error.message, /unknown org unit "Sales\/Osaka"/);
  });

  test('a bad validity date is 400 INVALID_INPUT naming the field', async () => {
    const response = await server().call('PATCH', `/api/v1/users/${ADMIN}`, {
      body: { validUntil: '2024-02-30' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /validUntil "2024-02-30" is not a valid date/);
    assert.equal(response.json.error.details[0].field, 'validUntil');
  });

  test('valid-from after valid-until is 400 INVALID_INPUT', async () => {
    const response = await server().call('PATCH', `/api/v1/users/hanako@${DOMAIN}`, {
      body: { validFrom: '2099-01-01', validUntil: '2098-01-01' },
    });
    assert.equal(response.status, 400);
    assert.match(response.json.error.message, /valid-from is after valid-until/);
  });

  test('an empty PATCH is 400 INVALID_INPUT', async () => {
    const response = await server().call('PATCH', `/api/v1/users/${ADMIN}`, { body: {} });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /give at least one field to change/);
  });

  test('demoting or disabling the last administrator is 409 LAST_ADMIN', async () => {
    for (const [method, path, body] of [
      ['PATCH', `/api/v1/users/${ADMIN}`, { isAdmin: false }],
      ['POST', `/api/v1/users/${ADMIN}/disable`, undefined],
    ] as const) {
      const response = await server().call(method, path, { body });
      assert.equal(response.status, 409, `${method} ${path}: ${response.text}`);
      assert.equal(response.json.error.code, 'LAST_ADMIN');
      assert.match(response.json.error.message, /is the last administrator/);
    }
    assert.equal((await server().server.services.directory.users.get(ADMIN)).isAdmin, true);
  });
});
