import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ApiVisibilityCheck,
  ApiVisibilityRule,
  ApiVisibilityRules,
} from '../src/protocol/visibility.ts';
import { ADMIN, describeHttpApi, DOMAIN, lastAuditEntry, type TestServer } from './support/http-server.ts';

const A = `alice@${DOMAIN}`;
const B = `bob@${DOMAIN}`;
const E = `eve@${DOMAIN}`;

async function ok(server: TestServer, method: string, path: string, body?: unknown, status = 200) {
  const response = await server.call(method, path, body === undefined ? {} : { body });
  assert.equal(response.status, status, `${method} ${path}: ${response.text}`);
  return response;
}

async function check(server: TestServer, a: string, b: string): Promise<ApiVisibilityCheck> {
  const query = new URLSearchParams({ a, b });
  return (await ok(server, 'GET', `/api/v1/rules/check?${query.toString()}`)).json as ApiVisibilityCheck;
}

function assertAuditedByAdmin(entry: Record<string, unknown> | undefined, action: string) {
  assert.ok(entry, `an audit entry for ${action}`);
  assert.equal(entry.actor, ADMIN);
  assert.equal(entry.protocol, 'http');
  assert.equal(entry.remote, '127.0.0.1');
}

describeHttpApi('REST API: visibility rules', (server) => {
  test('setup: units 営業部, 開発部, 役員室; alice in 営業部, bob in 開発部, eve in 役員室; group Project X', async () => {
    for (const path of ['営業部', '開発部', '役員室'])
      await ok(server(), 'POST', '/api/v1/org/units', { path }, 201);
    for (const [address, unit] of [
      [A, '営業部'],
      [B, '開発部'],
      [E, '役員室'],
    ] as const) {
      await ok(server(), 'POST', '/api/v1/users', { address, displayName: address, unit }, 201);
    }
    await ok(server(), 'POST', '/api/v1/groups', { name: 'Project X' }, 201);
    await ok(server(), 'POST', '/api/v1/groups/Project%20X/members', { address: B }, 204);
  });

  test('PUT /rules/mode, POST /rules, GET /rules, GET /rules/check and DELETE /rules/{id}, audited', async () => {
    assert.deepEqual((await ok(server(), 'GET', '/api/v1/rules/mode')).json, { mode: 'open' });
    assert.deepEqual((await ok(server(), 'PUT', '/api/v1/rules/mode', { mode: 'closed' })).json, {
      mode: 'closed',
    });
    assertAuditedByAdmin(await lastAuditEntry(server(), 'visibility.mode', 'closed'), 'visibility.mode');

    const created = await ok(
      server(),
      'POST',
      '/api/v1/rules',
      {
        subject: { kind: 'group', name: 'Project X' },
        object: { kind: 'unit', path: '営業部' },
        permission: 'see',
        effect: 'allow',
      },
      201,
    );
    const rule = created.json as ApiVisibilityRule;
    assert.deepEqual(rule.object, { kind: 'unit', path: '営業部', includeSubunits: true });
    assert.equal(rule.text, 'group:Project X may see unit:営業部');
    assert.match(rule.createdAt, /^\d{4}-\d\d-\d\dT/);
    assertAuditedByAdmin(await lastAuditEntry(server(), 'visibility.rule.add', `rule #${rule.id}`), 'add');

    const overview = (await ok(server(), 'GET', '/api/v1/rules')).json as ApiVisibilityRules;
    assert.equal(overview.mode, 'closed');
    assert.deepEqual(overview.rules, [rule]);
    assert.deepEqual(overview.hiddenUnits, []);

    const bobToAlice = await check(server(), 'bob', A);
    assert.equal(bobToAlice.a, B, 'a bare name is the default domain');
    assert.equal(bobToAlice.see, true);
    assert.equal(bobToAlice.message, false);
    assert.deepEqual(bobToAlice.decidedBy.see, {
      kind: 'rule',
      rule,
      explanation: `rule #${rule.id}: group:Project X may see unit:営業部`,
    });
    assert.deepEqual(bobToAlice.decidedBy.message, {
      kind: 'mode',
      mode: 'closed',
      explanation: 'no rule allows it, and the mode is closed',
    });
    const aliceToBob = await check(server(), A, B);
    assert.deepEqual([aliceToBob.see, aliceToBob.message], [false, false]);

    // The running server's policy follows at once.
    const ids = await Promise.all([A, B].map((a) => server().server.services.directory.users.get(a)));
    const [alice, bob] = ids.map((u) => u.id) as [number, number];
    assert.equal(await server().server.services.visibility.canSee(bob, alice), true);
    assert.equal(await server().server.services.visibility.canMessage(bob, alice), false);

    const removed = await server().call('DELETE', `/api/v1/rules/${rule.id}`);
    assert.equal(removed.status, 204);
    assert.equal(await server().server.services.visibility.canSee(bob, alice), false);
    assertAuditedByAdmin(
      await lastAuditEntry(server(), 'visibility.rule.remove', `rule #${rule.id}`),
      'remove',
    );
    assert.deepEqual(((await ok(server(), 'GET', '/api/v1/rules')).json as ApiVisibilityRules).rules, []);
  });

  test('a user moved through the API is seen by the running policy at once', async () => {
    const services = server().server.services;
    const [alice, bob] = (await Promise.all([A, B].map((a) => services.directory.users.get(a)))).map(
      (u) => u.id,
    ) as [number, number];
    assert.equal(await services.visibility.canMessage(bob, alice), false, 'closed mode, no rule');
    await ok(server(), 'PATCH', `/api/v1/users/${encodeURIComponent(B)}`, { unit: '営業部' });
    assert.equal(await services.visibility.canMessage(bob, alice), true, 'colleagues now');
    await ok(server(), 'PATCH', `/api/v1/users/${encodeURIComponent(B)}`, { unit: '開発部' });
    assert.equal(await services.visibility.canMessage(bob, alice), false);
  });

  test('POST /org/units/hide and /unhide: a hidden unit is invisible outside it, whatever the rules', async () => {
    await ok(server(), 'PUT', '/api/v1/rules/mode', { mode: 'open' });
    const hidden = await ok(server(), 'POST', '/api/v1/org/units/hide', { path: '役員室' });
    assert.deepEqual(hidden.json, { path: '役員室', hidden: true, changed: true });
    assert.deepEqual((await ok(server(), 'POST', '/api/v1/org/units/hide', { path: '役員室' })).json, {
      path: '役員室',
      hidden: true,
      changed: false,
    });
    assertAuditedByAdmin(await lastAuditEntry(server(), 'org.hide', '役員室'), 'org.hide');
    const outsider = await check(server(), A, E);
    assert.deepEqual([outsider.see, outsider.message], [false, false]);
    assert.deepEqual(outsider.decidedBy.see, {
      kind: 'hidden-unit',
      unit: '役員室',
      explanation: `${E} is in the hidden unit 役員室, and ${A} is not`,
    });
    const insider = await check(server(), E, A);
    assert.deepEqual([insider.see, insider.message], [true, true]);
    const admin = await check(server(), ADMIN, E);
    assert.equal(admin.decidedBy.see.kind, 'admin');
    assert.deepEqual(((await ok(server(), 'GET', '/api/v1/rules')).json as ApiVisibilityRules).hiddenUnits, [
      '役員室',
    ]);

    const shown = await ok(server(), 'POST', '/api/v1/org/units/unhide', { path: '役員室' });
    assert.deepEqual(shown.json, { path: '役員室', hidden: false, changed: true });
    assertAuditedByAdmin(await lastAuditEntry(server(), 'org.unhide', '役員室'), 'org.unhide');
    assert.equal((await check(server(), A, E)).see, true);
  });

  test('bad input: unknown unit or group, bad permission or effect, duplicates, unknown ids and users', async () => {
    const rule = (subject: unknown, object: unknown, permission: unknown = 'see', effect: unknown = 'deny') =>
      server().call('POST', '/api/v1/rules', { body: { subject, object, permission, effect } });
    const everyone = { kind: 'everyone' };
    const first = await rule(everyone, { kind: 'group', name: 'Project X' });
    assert.equal(first.status, 201, first.text);
    const cases: [
      Promise<{ status: number; json: { error: { code: string; message: string } } }>,
      number,
      string,
      RegExp,
    ][] = [
      [
        rule({ kind: 'unit', path: 'Nowhere/Team' }, everyone),
        404,
        'UNIT_UNKNOWN',
        /^rule subject: unknown org unit "Nowhere"/,
      ],
      [
        rule(everyone, { kind: 'group', name: 'Ghosts' }),
        404,
        'GROUP_UNKNOWN',
        /^rule object: unknown group "Ghosts"$/,
      ],
      [rule(everyone, everyone, 'read'), 400, 'INVALID_INPUT', /permission/],
      [rule(everyone, everyone, 'see', 'maybe'), 400, 'INVALID_INPUT', /effect/],
      [rule({ kind: 'team', name: 'x' }, everyone), 400, 'INVALID_INPUT', /subject/],
      [rule({ kind: 'unit', path: '' }, everyone), 400, 'INVALID_INPUT', /subject/],
      [rule({ kind: 'everyone', extra: 1 }, everyone), 400, 'INVALID_INPUT', /subject/],
      [
        rule(everyone, { kind: 'group', name: 'Project X' }),
        409,
        'RULE_EXISTS',
        /^this rule exists already \(#\d+\)/,
      ],
      [server().call('DELETE', '/api/v1/rules/987654'), 404, 'RULE_UNKNOWN', /#987654/],
      [server().call('DELETE', '/api/v1/rules/abc'), 400, 'INVALID_INPUT', /id/],
      [server().call('PUT', '/api/v1/rules/mode', { body: { mode: 'ajar' } }), 400, 'INVALID_INPUT', /mode/],
      [server().call('PUT', '/api/v1/rules/mode', { body: {} }), 400, 'INVALID_INPUT', /mode/],
      [server().call('GET', `/api/v1/rules/check?a=${encodeURIComponent(A)}`), 400, 'INVALID_INPUT', /\bb\b/],
      [
        server().call('GET', `/api/v1/rules/check?a=${encodeURIComponent(A)}&b=nobody%40${DOMAIN}`),
        404,
        'USER_UNKNOWN',
        /nobody/,
      ],
      [
        server().call('POST', '/api/v1/org/units/hide', { body: { path: 'Nowhere' } }),
        404,
        'UNIT_UNKNOWN',
        /"Nowhere"/,
      ],
      [server().call('POST', '/api/v1/org/units/hide', { body: {} }), 400, 'INVALID_INPUT', /path/],
      [server().call('GET', '/api/v1/rules', { token: null }), 401, 'AUTH_REQUIRED', /token/],
    ];
    for (const [pending, status, code, message] of cases) {
      const response = await pending;
      assert.equal(response.status, status, JSON.stringify(response.json));
      assert.equal(response.json.error.code, code);
      assert.match(response.json.error.message, message);
    }
    const overview = (await ok(server(), 'GET', '/api/v1/rules')).json as ApiVisibilityRules;
    assert.equal(overview.rules.length, 1, 'nothing else was stored');
  });
});
