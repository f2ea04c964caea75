import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerFrame } from '../src/protocol/im/frames.ts';
import type { DeviceInfo } from '../src/protocol/im/session.ts';
import type { ImRequestError } from './support/im-server.ts';
import { ImTestClient, startImServer, type ImTestServer } from './support/im-server.ts';

const desktop = { kind: 'desktop', name: 'Work PC' } as const;
const laptop = { kind: 'desktop', name: 'Laptop' } as const;
const phone = { kind: 'mobile', name: 'Phone' } as const;

function rejectsWith(code: string, pattern?: RegExp) {
  return (error: ImRequestError) => {
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

async function auditEntries(server: ImTestServer, action: string, target: string) {
  return server.services.audit.query({ action, target, limit: 1000 });
}

describe('messenger sessions: hello, resume, devices, policy', () => {
  let server: ImTestServer;
  before(async () => {
    server = await startImServer({ messenger: { revocationPollMs: 100 } });
  });
  after(async () => {
    await server.stop();
  });

  async function setPolicy(value: string) {
    const response = await server.call('PUT', '/api/v1/settings/im.login-policy', { body: { value } });
    assert.equal(response.status, 200, response.text);
  }

  test('hello with a password answers the user, the device and the session, audited as auth.login over ws', async () => {
    const user = await server.createUser('hana', { name: 'Hana Sato' });
    const client = await ImTestClient.connect(server);
    const hello = await client.hello('hana', user.password, { device: desktop });
    assert.deepEqual(hello.user, { id: user.id, address: user.address, name: 'Hana Sato', admin: false });
    assert.deepEqual({ kind: hello.device.kind, name: hello.device.name }, desktop);
    assert.equal(typeof hello.session, 'string');
    assert.equal(hello.resumeToken, undefined, 'no resume token unless remember is asked for');
    assert.match(hello.sessionToken ?? '', /^coo_dev_/, 'a bearer token for REST while the session lasts');
    const other = await ImTestClient.connect(server);
    await assert.rejects(other.resume(hello.sessionToken ?? ''), rejectsWith('IM_RESUME_INVALID'));
    await other.close();
    const [login] = await auditEntries(server, 'auth.login', user.address);
    assert.equal(login?.protocol, 'ws');
    assert.equal(login?.outcome, 'success');
    assert.equal(login?.remote, '127.0.0.1');
    await client.close();
  });

  test('a wrong password is AUTH_FAILED, the client may retry, and the third failure closes (1008)', async () => {
    const user = await server.createUser('kenji');
    const client = await ImTestClient.connect(server);
    await assert.rejects(client.hello(user.address, 'wrong password!'), rejectsWith('AUTH_FAILED'));
    await assert.rejects(client.hello('nobody@example.com', 'wrong password!'), rejectsWith('AUTH_FAILED'));
    await client.hello(user.address, user.password);
    await client.close();

    const stubborn = await ImTestClient.connect(server);
    for (let i = 0; i < 3; i++) {
      await assert.rejects(stubborn.hello(user.address, `wrong ${i} password`), rejectsWith('AUTH_FAILED'));
    }
    assert.equal((await stubborn.closed).code, 1008);
  });

  test('a disabled account is AUTH_DISABLED, an expired one AUTH_EXPIRED, one not yet valid AUTH_NOT_YET_VALID', async () => {
    const disabled = await server.createUser('gone');
    await server.services.directory.users.setDisabled(disabled.address, true, {
      name: 'cli',
      protocol: 'cli',
      remote: '',
    });
    const expired = await server.createUser('old', { validUntil: Date.now() - 86_400_000 });
    const future = await server.createUser('soon', { validFrom: Date.now() + 86_400_000 });
    for (const [user, code] of [
      [disabled, 'AUTH_DISABLED'],
      [expired, 'AUTH_EXPIRED'],
      [future, 'AUTH_NOT_YET_VALID'],
    ] as const) {
      const client = await ImTestClient.connect(server);
      await assert.rejects(client.hello(user.address, user.password), rejectsWith(code));
      await client.close();
    }
  });

  test('resume with the token of a remembered device logs in without the password hash (no auth.login), audited auth.resume', async () => {
    const user = await server.createUser('yui');
    const first = await ImTestClient.connect(server);
    const hello = await first.hello(user.address, user.password, { device: phone, remember: true });
    assert.match(hello.resumeToken ?? '', /^coo_dev_[A-Za-z0-9_-]{43}$/);
    await first.request('bye');
    await first.closed;

    const loginsBefore = (await auditEntries(server, 'auth.login', user.address)).length;
    const started = performance.now();
    const again = await ImTestClient.connect(server);
    const resumed = await again.resume(hello.resumeToken ?? '');
    const elapsed = performance.now() - started;
    assert.equal(resumed.device.id, hello.device.id, 'the same device');
    assert.equal(resumed.resumeToken, undefined, 'the token is shown once');
    assert.equal(
      (await auditEntries(server, 'auth.login', user.address)).length,
      loginsBefore,
      'no password check ran',
    );
    const [resume] = await auditEntries(server, 'auth.resume', user.address);
    assert.equal(resume?.outcome, 'success');
    assert.deepEqual(resume?.details, { device: hello.device.id });
    assert.ok(elapsed < 2000, `resume took ${elapsed} ms`);

    // A resume may rename its device.
    await again.close();
    const renamed = await ImTestClient.connect(server);
    const result = await renamed.resume(hello.resumeToken ?? '', { kind: 'mobile', name: 'New phone' });
    assert.equal(result.device.name, 'New phone');
    await renamed.close();
  });

  test('an unknown or malformed resume token is IM_RESUME_INVALID, audited as a failure', async () => {
    const client = await ImTestClient.connect(server);
    await assert.rejects(client.resume(`coo_dev_${'A'.repeat(43)}`), rejectsWith('IM_RESUME_INVALID'));
    await assert.rejects(client.resume('not-a-token'), rejectsWith('IM_RESUME_INVALID'));
    const [failure] = await auditEntries(server, 'auth.resume', 'unknown');
    assert.equal(failure?.outcome, 'failure');
    await client.close();
  });

  test('resume is refused once the account is disabled, with its reason', async () => {
    const user = await server.createUser('leaver');
    const client = await ImTestClient.connect(server);
    const { resumeToken } = await client.hello(user.address, user.password, { remember: true });
    await client.close();
    await server.services.directory.users.setDisabled(user.address, true, {
      name: 'cli',
      protocol: 'cli',
      remote: '',
    });
    const again = await ImTestClient.connect(server);
    await assert.rejects(again.resume(resumeToken ?? ''), rejectsWith('AUTH_DISABLED'));
    await again.close();
  });

  test('bye answers ok, closes with 1000, audits auth.logout, and forgets a device that was not remembered', async () => {
    const user = await server.createUser('brief');
    const client = await ImTestClient.connect(server);
    const hello = await client.hello(user.address, user.password, { device: desktop });
    assert.deepEqual(await client.request('bye'), {});
    assert.equal((await client.closed).code, 1000);
    await waitFor(async () => (await auditEntries(server, 'auth.logout', user.address)).length === 1);
    const [logout] = await auditEntries(server, 'auth.logout', user.address);
    assert.equal(logout?.details.reason, 'bye');
    assert.equal(logout?.details.device, hello.device.id);
    assert.deepEqual(await server.server.messenger.devices.list(user.id), []);
  });

  test('a dropped connection is audited as a logout too', async () => {
    const user = await server.createUser('dropper');
    const client = await ImTestClient.connect(server);
    await client.hello(user.address, user.password);
    client.socket.terminate();
    await waitFor(async () => (await auditEntries(server, 'auth.logout', user.address)).length === 1);
    const [logout] = await auditEntries(server, 'auth.logout', user.address);
    assert.equal(logout?.details.reason, 'connection-lost');
  });

  test('policy single (default): a new login replaces the old session, which gets session.replaced and 4001', async () => {
    await setPolicy('single');
    const user = await server.createUser('solo');
    const old = await ImTestClient.connect(server);
    await old.hello(user.address, user.password, { device: desktop });
    const newer = await ImTestClient.connect(server);
    await newer.hello(user.address, user.password, { device: phone });
    assert.deepEqual(await old.next('session.replaced'), { t: 'session.replaced', by: phone });
    assert.equal((await old.closed).code, 4001);
    assert.equal(newer.isOpen, true);
    await newer.request('session.devices');
    await waitFor(async () =>
      (await auditEntries(server, 'auth.logout', user.address)).some((e) => e.details.reason === 'replaced'),
    );
    await newer.close();
  });

  test('policy one-per-kind: a desktop replaces the desktop, the phone stays', async () => {
    await setPolicy('one-per-kind');
    try {
      const user = await server.createUser('kinds');
      const work = await ImTestClient.connect(server);
      await work.hello(user.address, user.password, { device: desktop });
      const mobile = await ImTestClient.connect(server);
      await mobile.hello(user.address, user.password, { device: phone });
      await work.noFrame('session.replaced', 200);
      const home = await ImTestClient.connect(server);
      await home.hello(user.address, user.password, { device: laptop });
      assert.deepEqual(await work.next('session.replaced'), { t: 'session.replaced', by: laptop });
      assert.equal((await work.closed).code, 4001);
      await mobile.noFrame('session.replaced', 200);
      assert.equal(mobile.isOpen, true);
      await Promise.all([mobile.close(), home.close()]);
    } finally {
      await setPolicy('single');
    }
  });

  test('policy multiple: two desktops stay logged in side by side', async () => {
    await setPolicy('multiple');
    try {
      const user = await server.createUser('many');
      const a = await ImTestClient.connect(server);
      await a.hello(user.address, user.password, { device: desktop });
      const b = await ImTestClient.connect(server);
      await b.hello(user.address, user.password, { device: laptop });
      await a.noFrame('session.replaced', 300);
      assert.equal(a.isOpen && b.isOpen, true);
      // Both get what is delivered to the user; the sender's own session can be left out.
      const delivery = server.server.messenger.delivery;
      await delivery.toUsers([user.id], { t: 'test.event', n: 1 });
      await Promise.all([a.next('test.event'), b.next('test.event')]);
      const bSession = (b.frames.find((f) => f.t === 'ok') as ServerFrame & { data: { session: string } })
        .data.session;
      await delivery.toUsers([user.id], { t: 'test.event', n: 2 }, { exceptSession: bSession });
      await a.next('test.event', (f) => f.n === 2);
      await b.noFrame('test.event', 200, (f) => f.n === 2);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await setPolicy('single');
    }
  });

  test('the login policy setting is read and checked over REST', async () => {
    const read = await server.call('GET', '/api/v1/settings/im.login-policy');
    assert.equal(read.status, 200);
    assert.equal(read.json.value, 'single');
    const bad = await server.call('PUT', '/api/v1/settings/im.login-policy', { body: { value: 'two' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'INVALID_INPUT');
    const unknown = await server.call('GET', '/api/v1/settings/no.such');
    assert.equal(unknown.status, 404);
    const anonymous = await server.call('GET', '/api/v1/settings/im.login-policy', { token: null });
    assert.equal(anonymous.status, 401);
  });

  test('a user lists their devices and revokes another one, which is closed with session.revoked (4002)', async () => {
    await setPolicy('multiple');
    try {
      const user = await server.createUser('owner');
      const pc = await ImTestClient.connect(server);
      const pcHello = await pc.hello(user.address, user.password, { device: desktop, remember: true });
      const mobile = await ImTestClient.connect(server);
      const mobileHello = await mobile.hello(user.address, user.password, { device: phone, remember: true });
      const { devices } = (await pc.request('session.devices')) as { devices: DeviceInfo[] };
      assert.deepEqual(
        devices.map((d) => [d.id, d.kind, d.name, d.remembered, d.current ?? false]).sort(),
        [
          [pcHello.device.id, 'desktop', 'Work PC', true, true],
          [mobileHello.device.id, 'mobile', 'Phone', true, false],
        ].sort(),
      );
      assert.deepEqual(await pc.request('session.revoke', { deviceId: mobileHello.device.id }), {});
      assert.deepEqual(await mobile.next('session.revoked'), { t: 'session.revoked' });
      assert.equal((await mobile.closed).code, 4002);
      const retry = await ImTestClient.connect(server);
      await assert.rejects(retry.resume(mobileHello.resumeToken ?? ''), rejectsWith('IM_RESUME_INVALID'));
      await retry.close();
      await assert.rejects(
        pc.request('session.revoke', { deviceId: mobileHello.device.id }),
        rejectsWith('NOT_FOUND'),
      );
      const [audited] = await auditEntries(server, 'device.revoke', user.address);
      assert.equal(audited?.actor, user.address);
      await pc.close();
    } finally {
      await setPolicy('single');
    }
  });

  test("a user cannot revoke someone else's device", async () => {
    const alice = await server.createUser('alice');
    const bob = await server.createUser('bob');
    const a = await ImTestClient.connect(server);
    const aHello = await a.hello(alice.address, alice.password, { remember: true });
    const b = await ImTestClient.connect(server);
    await b.hello(bob.address, bob.password);
    await assert.rejects(
      b.request('session.revoke', { deviceId: aHello.device.id }),
      rejectsWith('NOT_FOUND'),
    );
    assert.equal(a.isOpen, true);
    await Promise.all([a.close(), b.close()]);
  });

  test('disabling an account over REST ends its open sessions with session.ended and 4003', async () => {
    const user = await server.createUser('suspended');
    const bystander = await server.createUser('bystander');
    const client = await ImTestClient.connect(server);
    await client.hello(user.address, user.password, { device: desktop });
    const other = await ImTestClient.connect(server);
    await other.hello(bystander.address, bystander.password, { device: desktop });

    const disabled = await server.call('POST', `/api/v1/users/${user.address}/disable`);
    assert.equal(disabled.status, 200, disabled.text);
    const ended = await client.next('session.ended', undefined, 5000);
    assert.equal(ended.code, 'AUTH_DISABLED');
    assert.match(String(ended.message), /disabled/);
    assert.equal((await client.closed).code, 4003);
    assert.equal(other.isOpen, true, 'other people stay connected');
    await other.close();
  });

  test('an account whose validity ends while connected is logged out with AUTH_EXPIRED', async () => {
    const user = await server.createUser('temporary', { validUntil: Date.now() + 1500 });
    const client = await ImTestClient.connect(server);
    await client.hello(user.address, user.password, { device: desktop });
    const ended = await client.next('session.ended', undefined, 6000);
    assert.equal(ended.code, 'AUTH_EXPIRED');
    assert.equal((await client.closed).code, 4003);
  });

  test('an admin lists and revokes devices over REST; the session closes', async () => {
    const user = await server.createUser('managed');
    const client = await ImTestClient.connect(server);
    const hello = await client.hello(user.address, user.password, { device: desktop, remember: true });
    const listed = await server.call('GET', `/api/v1/users/${user.address}/devices`);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.devices.length, 1);
    assert.equal(listed.json.devices[0].id, hello.device.id);
    assert.equal(listed.json.devices[0].remembered, true);
    assert.match(listed.json.devices[0].lastSeenAt, /^\d{4}-\d\d-\d\dT/);

    const revoked = await server.call('DELETE', `/api/v1/users/${user.address}/devices/${hello.device.id}`);
    assert.equal(revoked.status, 204, revoked.text);
    await client.next('session.revoked');
    assert.equal((await client.closed).code, 4002);
    const again = await server.call('DELETE', `/api/v1/users/${user.address}/devices/${hello.device.id}`);
    assert.equal(again.status, 404);
    const nobody = await server.call('GET', '/api/v1/users/nobody@example.com/devices');
    assert.equal(nobody.status, 404);
    const badId = await server.call('DELETE', `/api/v1/users/${user.address}/devices/abc`);
    assert.equal(badId.status, 400);
    const anonymous = await server.call('GET', `/api/v1/users/${user.address}/devices`, { token: null });
    assert.equal(anonymous.status, 401);
  });

  test('sync calls every sync source with its cursor, sends their frames, and answers the new cursors', async () => {
    const user = await server.createUser('syncer');
    const seen: unknown[] = [];
    server.server.messenger.syncSources.push({
      name: 'test-source',
      async sync(session, cursor) {
        seen.push([session.userId, cursor]);
        return { frames: [{ t: 'test.missed', since: cursor ?? null }], cursor: 42 };
      },
    });
    const client = await ImTestClient.connect(server);
    await client.hello(user.address, user.password);
    const result = (await client.request('sync', { cursors: { 'test-source': 7, unknown: 1 } })) as {
      cursors: Record<string, unknown>;
    };
    assert.equal(result.cursors['test-source'], 42);
    assert.equal('unknown' in result.cursors, false);
    const missed = client.frames.findIndex((f) => f.t === 'test.missed');
    const answer = client.frames.findIndex(
      (f) => f.t === 'ok' && f.re !== undefined && 'cursors' in (f.data as object),
    );
    assert.ok(missed >= 0 && missed < answer, 'the missed frames come before the answer');
    assert.deepEqual(seen, [[user.id, 7]]);
    await assert.rejects(client.request('sync', { cursors: 'all' }), rejectsWith('IM_BAD_FRAME', /cursors/));
    await client.close();
  });

  test('an unexpected failure in a handler is answered INTERNAL, logged with context, and the connection lives', async () => {
    const user = await server.createUser('unlucky');
    const sources = server.server.messenger.syncSources;
    const broken = {
      name: 'broken-source',
      sync: async (): Promise<never> => {
        throw new TypeError('cannot read properties of undefined');
      },
    };
    sources.push(broken);
    try {
      const client = await ImTestClient.connect(server);
      await client.hello(user.address, user.password);
      await assert.rejects(client.request('sync', { cursors: {} }), rejectsWith('INTERNAL', /logged/));
      const logged = server
        .logLines()
        .find((line) => line.msg === 'im: frame handler failed' && line.user === user.address);
      assert.equal(logged?.frame, 'sync');
      assert.match(JSON.stringify(logged?.err), /cannot read properties/);
      client.send({ t: 'ping' });
      await client.next('pong');
      await client.close();
    } finally {
      sources.splice(sources.indexOf(broken), 1);
    }
  });
});

describe('messenger sessions: a connection lost during the password check', () => {
  test('the session ends at once: audited, not registered, its device forgotten', async () => {
    // Production hashing cost, so the hello is still running when the socket goes.
    const server = await startImServer({ slowHashing: true });
    try {
      const user = await server.createUser('hasty');
      const client = await ImTestClient.connect(server);
      client.send({
        t: 'hello',
        id: 1,
        auth: { kind: 'password', login: user.address, password: user.password },
        device: desktop,
      });
      await new Promise((resolve) => setTimeout(resolve, 15));
      client.socket.terminate();
      await waitFor(
        async () => (await auditEntries(server, 'auth.logout', user.address)).length === 1,
        10_000,
      );
      const [login] = await auditEntries(server, 'auth.login', user.address);
      assert.equal(login?.outcome, 'success', 'the hello did complete');
      assert.equal(server.server.messenger.registry.ofUser(user.id).size, 0);
      assert.deepEqual(await server.server.messenger.devices.list(user.id), []);
    } finally {
      await server.stop();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
