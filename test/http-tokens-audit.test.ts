import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI_ACTOR } from '../src/directory/types.ts';
import type { ApiAuditEntry } from '../src/protocol/admin-api.ts';
import { ADMIN, describeHttpApi, DOMAIN, lastAuditEntry } from './support/http-server.ts';

describeHttpApi('REST API: tokens', (server) => {
  let created: { id: number; token: string } | undefined;

  test('POST /tokens creates a token shown once, acting as the caller, audited', async () => {
    const response = await server().call('POST', '/api/v1/tokens', {
      body: { name: 'backup script', expiresAt: '2099-12-31' },
    });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(response.json.token, /^coo_[A-Za-z0-9_-]{43}$/);
    assert.equal(response.json.name, 'backup script');
    assert.equal(response.json.owner, ADMIN);
    assert.equal(response.json.expiresAt, new Date(2099, 11, 31, 23, 59, 59, 999).toISOString());
    created = { id: response.json.id, token: response.json.token };
    const entry = await lastAuditEntry(server(), 'token.create', 'backup script');
    assert.equal(entry?.actor, ADMIN);
    assert.equal(entry?.protocol, 'http');
    assert.equal(JSON.stringify(entry).includes(created.token), false, 'the secret is not in the audit log');
  });

  test('the new token works', async () => {
    const response = await server().call('GET', '/api/v1/me', { token: created?.token ?? null });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { address: ADMIN, tokenName: 'backup script' });
  });

  test('GET /tokens lists tokens without their secrets', async () => {
    const response = await server().call('GET', '/api/v1/tokens');
    assert.equal(response.status, 200);
    const token = (response.json.tokens as Record<string, unknown>[]).find((t) => t.id === created?.id);
    assert.ok(token);
    assert.equal(token.name, 'backup script');
    assert.equal(token.owner, ADMIN);
    assert.equal(token.revoked, false);
    assert.equal(typeof token.lastUsedAt, 'string');
    assert.equal(response.text.includes(created?.token ?? '?'), false);
    assert.doesNotMatch(response.text, /coo_/);
  });

  test('a token for another administrator acts as them', async () => {
    const { services } = server().server;
    await services.directory.users.create(`ops@${DOMAIN}`, { displayName: 'Ops', isAdmin: true }, CLI_ACTOR);
    const response = await server().call('POST', '/api/v1/tokens', {
      body: { name: 'ops', owner: `ops@${DOMAIN}` },
    });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.json.owner, `ops@${DOMAIN}`);
    assert.equal(response.json.expiresAt, null);
    const me = await server().call('GET', '/api/v1/me', { token: response.json.token });
    assert.equal(me.json.address, `ops@${DOMAIN}`);
  });

  test('a token for a user who is not an administrator is 403 AUTH_FORBIDDEN', async () => {
    const { services } = server().server;
    await services.directory.users.create(`plain@${DOMAIN}`, { displayName: 'Plain' }, CLI_ACTOR);
    const response = await server().call('POST', '/api/v1/tokens', {
      body: { name: 'nope', owner: `plain@${DOMAIN}` },
    });
    assert.equal(response.status, 403);
    assert.equal(response.json.error.code, 'AUTH_FORBIDDEN');
    assert.match(response.json.error.message, /plain@example\.com is not an administrator/);
  });

  test('DELETE /tokens/{id} revokes a token, which is then 401; audited', async () => {
    const response = await server().call('DELETE', `/api/v1/tokens/${created?.id}`);
    assert.equal(response.status, 204, response.text);
    const refused = await server().call('GET', '/api/v1/me', { token: created?.token ?? null });
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.code, 'AUTH_REQUIRED');
    const listed = (await server().call('GET', '/api/v1/tokens')).json.tokens as {
      id: number;
      revoked: boolean;
    }[];
    assert.equal(listed.find((t) => t.id === created?.id)?.revoked, true);
    const entry = await lastAuditEntry(server(), 'token.revoke', String(created?.id));
    assert.equal(entry?.actor, ADMIN);
  });

  test('revoking an unknown or revoked token is 404 TOKEN_UNKNOWN', async () => {
    for (const id of [created?.id, 999_999]) {
      const response = await server().call('DELETE', `/api/v1/tokens/${id}`);
      assert.equal(response.status, 404, String(id));
      assert.equal(response.json.error.code, 'TOKEN_UNKNOWN');
      assert.match(response.json.error.message, new RegExp(`no active token with id ${id}`));
    }
  });

  test('a token id that is not a number is 400 INVALID_INPUT naming it', async () => {
    const response = await server().call('DELETE', '/api/v1/tokens/abc');
    assert.equal(response.status, 400);
    assert.equal(response.json.error.details[0].field, 'id');
  });

  test('an expired token is 401', async () => {
    const { services } = server().server;
    const { token } = await services.tokens.create('expired', ADMIN, CLI_ACTOR, Date.now() - 1000);
    const response = await server().call('GET', '/api/v1/me', { token });
    assert.equal(response.status, 401);
    assert.equal(response.json.error.code, 'AUTH_REQUIRED');
  });
});

describeHttpApi('REST API: audit log', (server) => {
  const entries = async (query: Record<string, string>) => {
    const response = await server().call('GET', `/api/v1/audit?${new URLSearchParams(query).toString()}`);
    assert.equal(response.status, 200, response.text);
    return response.json as { entries: ApiAuditEntry[]; nextBeforeSeq: number | null };
  };

  test('GET /audit answers the newest entries first, with the admin as actor for API changes', async () => {
    for (const name of ['a1', 'a2', 'a3']) {
      const response = await server().call('POST', '/api/v1/groups', { body: { name } });
      assert.equal(response.status, 201);
    }
    const page = await entries({ action: 'group.create' });
    assert.deepEqual(
      page.entries.map((e) => e.target),
      ['a3', 'a2', 'a1'],
    );
    for (const entry of page.entries) {
      assert.equal(entry.actor, ADMIN);
      assert.equal(entry.protocol, 'http');
      assert.equal(entry.remote, '127.0.0.1');
      assert.equal(entry.outcome, 'success');
      assert.match(entry.at, /^\d{4}-\d{2}-\d{2}T/);
      assert.match(entry.hash, /^[0-9a-f]{64}$/);
    }
    const seqs = page.entries.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
  });

  test('filters: actor, action prefix, since and until', async () => {
    const byCli = await entries({ actor: 'cli' });
    assert.ok(byCli.entries.length > 0);
    assert.ok(byCli.entries.every((e) => e.actor === 'cli'));
    assert.ok(byCli.entries.some((e) => e.action === 'system.init'));

    const groups = await entries({ action: 'group.' });
    assert.ok(groups.entries.every((e) => e.action.startsWith('group.')));

    const future = await entries({ since: '2999-01-01' });
    assert.deepEqual(future.entries, []);
    const past = await entries({ until: '2000-01-01' });
    assert.deepEqual(past.entries, []);
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const sinceToday = await entries({ since: day, until: day, action: 'group.create' });
    assert.equal(sinceToday.entries.length, 3);
    const instant = await entries({
      since: new Date(Date.now() - 60_000).toISOString(),
      action: 'group.create',
    });
    assert.equal(instant.entries.length, 3);
  });

  test('limit, beforeSeq and afterSeq page through the log', async () => {
    const first = await entries({ action: 'group.create', limit: '2' });
    assert.equal(first.entries.length, 2);
    assert.equal(first.nextBeforeSeq, first.entries[1]?.seq);
    const second = await entries({
      action: 'group.create',
      limit: '2',
      beforeSeq: String(first.nextBeforeSeq),
    });
    assert.deepEqual(
      second.entries.map((e) => e.target),
      ['a1'],
    );
    assert.equal(second.nextBeforeSeq, null);
    const newer = await entries({ afterSeq: String(second.entries[0]?.seq), action: 'group.create' });
    assert.deepEqual(
      newer.entries.map((e) => e.target),
      ['a3', 'a2'],
    );
  });

  test('a bad filter is 400 INVALID_INPUT naming it', async () => {
    for (const [query, field] of [
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['afterSeq=-1', 'afterSeq'],
    ] as const) {
      const response = await server().call('GET', `/api/v1/audit?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.json.error.code, 'INVALID_INPUT');
      assert.equal(response.json.error.details[0].field, field);
      assert.match(response.json.error.message, new RegExp(field));
    }
  });

  test('GET /audit/verify reports an intact chain', async () => {
    const response = await server().call('GET', '/api/v1/audit/verify');
    assert.equal(response.status, 200);
    assert.equal(response.json.ok, true);
    assert.ok(response.json.checked > 5);
    assert.deepEqual(response.json.problems, []);
    assert.equal(response.json.omittedProblems, 0);
  });

  test('GET /audit/verify names an entry changed behind the log’s back', async () => {
    const target = (await entries({ action: 'group.create', limit: '1' })).entries[0];
    assert.ok(target);
    await server()
      .server.services.store.db.updateTable('audit_log')
      .set({ target: 'tampered' })
      .where('seq', '=', target.seq)
      .execute();
    const response = await server().call('GET', '/api/v1/audit/verify');
    assert.equal(response.status, 200);
    assert.equal(response.json.ok, false);
    assert.equal(response.json.problems[0].seq, target.seq);
    assert.equal(response.json.problems[0].kind, 'changed');
    assert.match(
      response.json.problems[0].message,
      new RegExp(`entry ${target.seq} \\(group\\.create by ${ADMIN}`),
    );
  });
});
