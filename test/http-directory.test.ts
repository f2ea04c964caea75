import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiOrgUnit } from '../src/protocol/admin-api.ts';
import { ADMIN, describeHttpApi, DOMAIN, lastAuditEntry, type TestServer } from './support/http-server.ts';

async function orgPaths(server: TestServer): Promise<string[]> {
  const response = await server.call('GET', '/api/v1/org');
  assert.equal(response.status, 200);
  const paths: string[] = [];
  const walk = (units: ApiOrgUnit[]) => {
    for (const unit of units) {
      paths.push(unit.path);
      walk(unit.children);
    }
  };
  walk((response.json as { units: ApiOrgUnit[] }).units);
  return paths;
}

function assertAuditedByAdmin(entry: Record<string, unknown> | undefined, action: string) {
  assert.ok(entry, `an audit entry for ${action}`);
  assert.equal(entry.action, action);
  assert.equal(entry.actor, ADMIN);
  assert.equal(entry.protocol, 'http');
  assert.equal(entry.remote, '127.0.0.1');
}

function unitPath(path: string): string {
  return `/api/v1/org/units/${path.split('/').map(encodeURIComponent).join('/')}`;
}

describeHttpApi('REST API: org units', (server) => {
  test('POST /org/units creates units; parents:true creates the missing ones', async () => {
    const created = await server().call('POST', '/api/v1/org/units', {
      body: { path: '営業部/東京支店', parents: true },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json, { path: '営業部/東京支店' });
    const single = await server().call('POST', '/api/v1/org/units', { body: { path: '開発部' } });
    assert.equal(single.status, 201);
    assert.deepEqual(await orgPaths(server()), ['営業部', '営業部/東京支店', '開発部']);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'org.create', '営業部/東京支店'), 'org.create');
  });

  test('GET /org answers the tree with positions and member counts', async () => {
    const member = await server().call('POST', '/api/v1/users', {
      body: { address: `member@${DOMAIN}`, displayName: 'Member', unit: '営業部' },
    });
    assert.equal(member.status, 201);
    const response = await server().call('GET', '/api/v1/org');
    const [sales, development] = (response.json as { units: ApiOrgUnit[] }).units;
    assert.equal(sales?.name, '営業部');
    assert.equal(sales?.position, 0);
    assert.equal(sales?.members, 1);
    assert.equal(sales?.children[0]?.path, '営業部/東京支店');
    assert.equal(development?.position, 1);
    assert.deepEqual(development?.children, []);
  });

  test('a unit that exists is 409 UNIT_EXISTS', async () => {
    const response = await server().call('POST', '/api/v1/org/units', { body: { path: '開発部' } });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'UNIT_EXISTS');
    assert.match(response.json.error.message, /org unit "開発部" already exists/);
  });

  test('a unit under a missing parent without parents:true is 404 UNIT_UNKNOWN', async () => {
    const response = await server().call('POST', '/api/v1/org/units', { body: { path: 'Nowhere/Team' } });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'UNIT_UNKNOWN');
    assert.match(response.json.error.message, /unknown org unit "Nowhere"/);
  });

  test('POST /org/units/rename renames a unit and its sub-units follow, audited', async () => {
    const response = await server().call('POST', '/api/v1/org/units/rename', {
      body: { path: '営業部', name: 'Sales' },
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { path: 'Sales' });
    assert.deepEqual(await orgPaths(server()), ['Sales', 'Sales/東京支店', '開発部']);
    assert.equal((await server().server.services.directory.users.get(`member@${DOMAIN}`)).unit, 'Sales');
    assertAuditedByAdmin(await lastAuditEntry(server(), 'org.rename', '営業部'), 'org.rename');
  });

  test('POST /org/units/move moves a unit under another and back to the top, audited', async () => {
    const moved = await server().call('POST', '/api/v1/org/units/move', {
      body: { path: '開発部', parent: 'Sales' },
    });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual(moved.json, { path: 'Sales/開発部' });
    assert.deepEqual(await orgPaths(server()), ['Sales', 'Sales/東京支店', 'Sales/開発部']);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'org.move', '開発部'), 'org.move');
    const back = await server().call('POST', '/api/v1/org/units/move', {
      body: { path: 'Sales/開発部', parent: null, position: 0 },
    });
    assert.equal(back.status, 200);
    assert.deepEqual(await orgPaths(server()), ['開発部', 'Sales', 'Sales/東京支店']);
  });

  test('moving a unit into itself is 409 UNIT_CYCLE', async () => {
    const response = await server().call('POST', '/api/v1/org/units/move', {
      body: { path: 'Sales', parent: 'Sales/東京支店' },
    });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'UNIT_CYCLE');
    assert.match(response.json.error.message, /cannot move "Sales" into itself/);
  });

  test('removing a unit with members or sub-units is 409 UNIT_NOT_EMPTY naming what is left', async () => {
    const response = await server().call('DELETE', unitPath('Sales'));
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'UNIT_NOT_EMPTY');
    assert.match(response.json.error.message, /org unit "Sales" still has 1 user and 1 sub-unit/);
  });

  test('DELETE /org/units/{path} removes an empty unit, audited', async () => {
    const response = await server().call('DELETE', unitPath('Sales/東京支店'));
    assert.equal(response.status, 204, response.text);
    assert.deepEqual(await orgPaths(server()), ['開発部', 'Sales']);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'org.remove', 'Sales/東京支店'), 'org.remove');
  });

  test('removing an unknown unit is 404 UNIT_UNKNOWN', async () => {
    const response = await server().call('DELETE', unitPath('Sales/東京支店'));
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'UNIT_UNKNOWN');
  });

  test('a unit name with a slash is 400 INVALID_INPUT', async () => {
    const response = await server().call('POST', '/api/v1/org/units/rename', {
      body: { path: 'Sales', name: 'A/B' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /"A\/B" is not a valid unit name/);
  });
});

describeHttpApi('REST API: groups', (server) => {
  test('POST /groups creates a group, audited; GET /groups lists it', async () => {
    const created = await server().call('POST', '/api/v1/groups', {
      body: { name: 'Project X', description: 'secret' },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json, { name: 'Project X', description: 'secret', members: 0 });
    const list = await server().call('GET', '/api/v1/groups');
    assert.deepEqual(list.json, { groups: [{ name: 'Project X', description: 'secret', members: 0 }] });
    assertAuditedByAdmin(await lastAuditEntry(server(), 'group.create', 'Project X'), 'group.create');
  });

  test('a group that exists is 409 GROUP_EXISTS', async () => {
    const response = await server().call('POST', '/api/v1/groups', { body: { name: 'Project X' } });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'GROUP_EXISTS');
    assert.match(response.json.error.message, /group "Project X" already exists/);
  });

  test('members are added and removed, audited', async () => {
    const group = encodeURIComponent('Project X');
    const added = await server().call('POST', `/api/v1/groups/${group}/members`, {
      body: { address: ADMIN },
    });
    assert.equal(added.status, 204, added.text);
    assert.deepEqual((await server().call('GET', `/api/v1/groups/${group}/members`)).json, {
      members: [ADMIN],
    });
    assert.equal((await server().call('GET', '/api/v1/groups')).json.groups[0].members, 1);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'group.add-member', 'Project X'), 'group.add-member');

    const removed = await server().call('DELETE', `/api/v1/groups/${group}/members/${ADMIN}`);
    assert.equal(removed.status, 204);
    assert.deepEqual((await server().call('GET', `/api/v1/groups/${group}/members`)).json, { members: [] });
    assertAuditedByAdmin(
      await lastAuditEntry(server(), 'group.remove-member', 'Project X'),
      'group.remove-member',
    );
  });

  test('an unknown member is 404 USER_UNKNOWN', async () => {
    const response = await server().call(
      'POST',
      `/api/v1/groups/${encodeURIComponent('Project X')}/members`,
      {
        body: { address: `ghost@${DOMAIN}` },
      },
    );
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'USER_UNKNOWN');
  });

  test('an unknown group is 404 GROUP_UNKNOWN', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/groups/Nope/members'],
      ['DELETE', '/api/v1/groups/Nope'],
    ] as const) {
      const response = await server().call(method, path);
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.json.error.code, 'GROUP_UNKNOWN');
      assert.match(response.json.error.message, /unknown group "Nope"/);
    }
  });

  test('an invalid group name is 400 INVALID_INPUT', async () => {
    const response = await server().call('POST', '/api/v1/groups', { body: { name: '!!!' } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /"!!!" is not a valid group name/);
  });

  test('DELETE /groups/{name} deletes the group, audited', async () => {
    const response = await server().call('DELETE', `/api/v1/groups/${encodeURIComponent('Project X')}`);
    assert.equal(response.status, 204);
    assert.deepEqual((await server().call('GET', '/api/v1/groups')).json, { groups: [] });
    assertAuditedByAdmin(await lastAuditEntry(server(), 'group.remove', 'Project X'), 'group.remove');
  });
});

describeHttpApi('REST API: domains', (server) => {
  test('GET /domains lists the domain made by init as the default', async () => {
    const response = await server().call('GET', '/api/v1/domains');
    assert.equal(response.status, 200);
    assert.equal(response.json.domains.length, 1);
    assert.equal(response.json.domains[0].name, DOMAIN);
    assert.equal(response.json.domains[0].isDefault, true);
    assert.equal(response.json.domains[0].aliasOf, null);
    assert.equal(typeof response.json.domains[0].dkimSelector, 'string');
  });

  test('POST /domains adds a domain with a DKIM selector and an alias domain, audited; no key leaves', async () => {
    const added = await server().call('POST', '/api/v1/domains', { body: { name: 'Example.ORG' } });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.name, 'example.org');
    assert.equal(added.json.isDefault, false);
    assert.equal(typeof added.json.dkimSelector, 'string');
    assert.doesNotMatch(added.text, /PRIVATE KEY/);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'domain.create', 'example.org'), 'domain.create');

    const alias = await server().call('POST', '/api/v1/domains', {
      body: { name: 'example.net', aliasOf: DOMAIN },
    });
    assert.equal(alias.status, 201, alias.text);
    assert.deepEqual(alias.json, {
      name: 'example.net',
      aliasOf: DOMAIN,
      isDefault: false,
      dkimSelector: null,
    });
  });

  test('a domain that exists is 409 DOMAIN_EXISTS', async () => {
    const response = await server().call('POST', '/api/v1/domains', { body: { name: 'example.org' } });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'DOMAIN_EXISTS');
    assert.match(response.json.error.message, /domain "example\.org" already exists/);
  });

  test('a malformed domain name is 400 INVALID_ADDRESS', async () => {
    const response = await server().call('POST', '/api/v1/domains', { body: { name: 'not a domain' } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_ADDRESS');
    assert.match(response.json.error.message, /"not a domain" is not a valid domain name/);
  });

  test('POST /domains/{name}/default makes another domain the default', async () => {
    const response = await server().call('POST', '/api/v1/domains/example.org/default');
    assert.equal(response.status, 204, response.text);
    const domains = (await server().call('GET', '/api/v1/domains')).json.domains as {
      name: string;
      isDefault: boolean;
    }[];
    assert.deepEqual(
      domains.filter((d) => d.isDefault).map((d) => d.name),
      ['example.org'],
    );
    const back = await server().call('POST', `/api/v1/domains/${DOMAIN}/default`);
    assert.equal(back.status, 204);
  });

  test('DELETE /domains/{name} removes a domain, audited; an unknown one is 404 DOMAIN_UNKNOWN', async () => {
    const removed = await server().call('DELETE', '/api/v1/domains/example.net');
    assert.equal(removed.status, 204, removed.text);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'domain.remove', 'example.net'), 'domain.remove');
    const again = await server().call('DELETE', '/api/v1/domains/example.net');
    assert.equal(again.status, 404);
    assert.equal(again.json.error.code, 'DOMAIN_UNKNOWN');
    assert.match(again.json.error.message, /unknown domain "example\.net"/);
  });

  test('removing a domain that still has users is refused', async () => {
    const response = await server().call('DELETE', `/api/v1/domains/${DOMAIN}`);
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'DOMAIN_NOT_EMPTY');
    assert.match(response.json.error.message, /still has 1 user;/);
  });
});
