import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startImServer, type ImTestServer } from './support/im-server.ts';

describe('REST: /api/v1/users/{address}/mail/forwarding and /mail/rules', () => {
  let server: ImTestServer;

  before(async () => {
    server = await startImServer();
    await server.createUser('taro');
  });
  after(() => server.stop());

  test('forwarding is set, read, replaced and turned off, and each change is audited', async () => {
    const path = '/api/v1/users/taro@example.com/mail/forwarding';
    assert.deepEqual((await server.call('GET', path)).json, { forwarding: null });
    const set = await server.call('PUT', path, { body: { target: 'Taro@Home.Example', keepCopy: true } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.target, 'taro@home.example');
    assert.equal(set.json.keepCopy, true);
    assert.match(set.json.updatedAt, /^\d{4}-\d\d-\d\dT/);
    const read = await server.call('GET', path);
    assert.equal(read.json.forwarding.target, 'taro@home.example');
    const replaced = await server.call('PUT', path, { body: { target: 'taro@phone.example' } });
    assert.equal(replaced.json.keepCopy, false, 'keepCopy defaults to false');
    assert.equal((await server.call('DELETE', path)).status, 204);
    assert.deepEqual((await server.call('GET', path)).json, { forwarding: null });
    assert.equal((await server.call('DELETE', path)).status, 204, 'turning off twice is fine');
    const audit = await server.call('GET', '/api/v1/audit?action=mail.forwarding');
    assert.equal(audit.status, 200);
    assert.equal(audit.json.entries.length, 3);
  });

  test('rules are added in order, listed, and removed; bad ones are 400 with the field named', async () => {
    const path = '/api/v1/users/taro@example.com/mail/rules';
    const block = await server.call('POST', path, {
      body: { kind: 'block', params: { sender: '@spam.example' } },
    });
    assert.equal(block.status, 201, block.text);
    assert.equal(block.json.kind, 'block');
    const file = await server.call('POST', path, {
      body: { kind: 'file', params: { match: { field: 'from', contains: 'boss@' }, mailbox: 'Boss' } },
    });
    assert.equal(file.status, 201, file.text);
    const away = await server.call('POST', path, {
      body: { kind: 'autoreply', params: { body: '不在です', until: '2099-01-31' } },
    });
    assert.equal(away.status, 201, away.text);
    assert.equal(away.json.params.from, null);
    assert.match(away.json.params.until, /^2099-01-31T/);
    assert.equal(away.json.params.subject, '');

    const list = await server.call('GET', path);
    assert.deepEqual(
      list.json.rules.map((r: { kind: string; position: number }) => [r.kind, r.position]),
      [
        ['block', 1],
        ['file', 2],
        ['autoreply', 3],
      ],
    );
    assert.equal((await server.call('DELETE', `${path}/${block.json.id}`)).status, 204);
    const again = await server.call('DELETE', `${path}/${block.json.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.json.error.code, 'NOT_FOUND');

    const badSender = await server.call('POST', path, {
      body: { kind: 'block', params: { sender: 'no at sign' } },
    });
    assert.equal(badSender.status, 400);
    assert.equal(badSender.json.error.code, 'INVALID_INPUT');
    assert.equal(badSender.json.error.details?.[0]?.field, 'sender');
    const badKind = await server.call('POST', path, { body: { kind: 'forward-all', params: {} } });
    assert.equal(badKind.status, 400);
    const unknown = await server.call('GET', '/api/v1/users/nobody@example.com/mail/rules');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'USER_UNKNOWN');
  });

  test('the OpenAPI document lists the mail routes', async () => {
    const document = (await server.call('GET', '/api/v1/openapi.json', { token: null })).json as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of [
      '/api/v1/users/{address}/mail/forwarding',
      '/api/v1/users/{address}/mail/rules',
      '/api/v1/users/{address}/mail/rules/{id}',
    ]) {
      assert.ok(document.paths[path], path);
    }
    assert.ok(document.components.schemas.MailRule);
    assert.ok(document.components.schemas.MailForwarding);
  });
});
