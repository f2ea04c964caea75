import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiVisibilityRule } from '../src/protocol/visibility.ts';
import { ADMIN, describeHttpApi, lastAuditEntry } from './support/http-server.ts';

const groupPath = (name: string) => `/api/v1/groups/${encodeURIComponent(name)}`;

describeHttpApi('REST API: renaming a group', (server) => {
  let ruleId = 0;

  test('setup: a group with a member and a rule that names it', async () => {
    const created = await server().call('POST', '/api/v1/groups', {
      body: { name: 'Launch', description: 'the launch team' },
    });
    assert.equal(created.status, 201, created.text);
    const member = await server().call('POST', `${groupPath('Launch')}/members`, {
      body: { address: ADMIN },
    });
    assert.equal(member.status, 204, member.text);
    const rule = await server().call('POST', '/api/v1/rules', {
      body: {
        subject: { kind: 'group', name: 'Launch' },
        object: { kind: 'everyone' },
        permission: 'see',
        effect: 'allow',
      },
    });
    assert.equal(rule.status, 201, rule.text);
    ruleId = (rule.json as ApiVisibilityRule).id;
  });

  test('PATCH /groups/{name} renames it; members and rules follow; audited as group.rename', async () => {
    const response = await server().call('PATCH', groupPath('Launch'), { body: { name: '  発売 チーム ' } });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { name: '発売 チーム', description: 'the launch team', members: 1 });

    const list = await server().call('GET', '/api/v1/groups');
    assert.deepEqual(list.json, {
      groups: [{ name: '発売 チーム', description: 'the launch team', members: 1 }],
    });
    const members = await server().call('GET', `${groupPath('発売 チーム')}/members`);
    assert.deepEqual(members.json, { members: [ADMIN] });
    const old = await server().call('GET', `${groupPath('Launch')}/members`);
    assert.equal(old.status, 404);
    assert.equal(old.json.error.code, 'GROUP_UNKNOWN');

    const rules = (await server().call('GET', '/api/v1/rules')).json as { rules: ApiVisibilityRule[] };
    const rule = rules.rules.find((r) => r.id === ruleId);
    assert.deepEqual(rule?.subject, { kind: 'group', name: '発売 チーム' });
    assert.match(rule?.text ?? '', /group:発売 チーム/);

    const entry = await lastAuditEntry(server(), 'group.rename', 'Launch');
    assert.ok(entry, 'an audit entry for group.rename');
    assert.equal(entry.actor, ADMIN);
    assert.deepEqual(entry.details, { to: '発売 チーム' });
  });

  test('a description alone is changed and audited as group.update', async () => {
    const response = await server().call('PATCH', groupPath('発売 チーム'), {
      body: { description: ' launch, 2027 ' },
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { name: '発売 チーム', description: 'launch, 2027', members: 1 });
    const entry = await lastAuditEntry(server(), 'group.update', '発売 チーム');
    assert.deepEqual(entry?.details, { description: 'launch, 2027' });
  });

  test('the same name and description again change nothing and write no audit entry', async () => {
    const before = await lastAuditEntry(server(), 'group.update', '発売 チーム');
    const response = await server().call('PATCH', groupPath('発売 チーム'), {
      body: { name: '発売 チーム', description: 'launch, 2027' },
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(await lastAuditEntry(server(), 'group.update', '発売 チーム'), before);
  });

  test('renaming onto another group is 409 GROUP_EXISTS and changes nothing', async () => {
    const other = await server().call('POST', '/api/v1/groups', { body: { name: 'Design' } });
    assert.equal(other.status, 201, other.text);
    const response = await server().call('PATCH', groupPath('Design'), { body: { name: '発売 チーム' } });
    assert.equal(response.status, 409, response.text);
    assert.equal(response.json.error.code, 'GROUP_EXISTS');
    assert.match(response.json.error.message, /group "発売 チーム" already exists/);
    const names = (await server().call('GET', '/api/v1/groups')).json.groups.map(
      (g: { name: string }) => g.name,
    );
    assert.deepEqual(names, ['Design', '発売 チーム']);
  });

  test('an invalid new name is 400 INVALID_INPUT naming it', async () => {
    const response = await server().call('PATCH', groupPath('Design'), { body: { name: 'a/b' } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /"a\/b" is not a valid group name/);
  });

  test('an empty body, or an unknown field, is 400 INVALID_INPUT', async () => {
    for (const body of [{}, { name: 'Design 2', members: 3 }]) {
      const response = await server().call('PATCH', groupPath('Design'), { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json.error.code, 'INVALID_INPUT');
    }
    const names = (await server().call('GET', '/api/v1/groups')).json.groups.map(
      (g: { name: string }) => g.name,
    );
    assert.deepEqual(names, ['Design', '発売 チーム']);
  });

  test('an unknown group is 404 GROUP_UNKNOWN', async () => {
    const response = await server().call('PATCH', groupPath('Nope'), { body: { name: 'Yes' } });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'GROUP_UNKNOWN');
    assert.match(response.json.error.message, /unknown group "Nope"/);
  });

  test('the route is in the OpenAPI document, with its body', async () => {
    const response = await server().call('GET', '/api/v1/openapi.json', { token: null });
    const document = JSON.parse(response.text) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const patch = document.paths['/api/v1/groups/{name}']?.patch;
    assert.ok(patch, 'PATCH /api/v1/groups/{name} is documented');
    assert.match(JSON.stringify(patch.requestBody), /"description"/);
  });
});
