import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { ADMIN, describeHttpApi, DOMAIN } from './support/http-server.ts';

describeHttpApi('HTTP listener', (server) => {
  test('GET /healthz answers 200 {status:"ok"} without a token', async () => {
    const response = await server().call('GET', '/healthz', { token: null });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { status: 'ok' });
  });

  test('GET / is the web client, with its Content Security Policy', async () => {
    const response = await server().call('GET', '/', { token: null });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.text, /<div id="root"><\/div>/);
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
  });

  test('GET /metrics is Prometheus text with process, request and directory metrics', async () => {
    await server().call('GET', '/api/v1/users');
    const response = await server().call('GET', '/metrics', { token: null });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = response.text;
    assert.match(text, /^process_cpu_user_seconds_total \d/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(
      text,
      /^coo_http_requests_total\{method="GET",route="\/api\/v1\/users",status_code="200"\} [1-9]/m,
    );
    assert.match(
      text,
      /^coo_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users",status_code="200"\} [1-9]/m,
    );
    const users = (await server().server.services.directory.users.list()).length;
    assert.match(text, new RegExp(`^coo_users ${users}$`, 'm'));
    assert.match(text, /^coo_admins [1-9]/m);
    assert.match(text, /^coo_domains 1$/m);
    assert.match(text, /^coo_api_tokens_active [1-9]/m);
    assert.match(text, /^coo_audit_log_entries [1-9]/m);
    assert.match(text, /^coo_database_up 1$/m);
    assert.match(text, /^coo_listener_up\{listener="http"\} 1$/m);
  });

  test('request metrics use the route pattern, not the URL', async () => {
    await server().call('GET', `/api/v1/users/${ADMIN}`);
    await server().call('GET', '/no/such/page');
    const text = (await server().call('GET', '/metrics', { token: null })).text;
    assert.match(text, /route="\/api\/v1\/users\/:address",status_code="200"/);
    assert.match(text, /route="unmatched",status_code="404"/);
    assert.doesNotMatch(text, /admin@example\.com/);
  });

  test('GET /api/v1/openapi.json is an OpenAPI 3 document of every API path, without a token', async () => {
    const response = await server().call('GET', '/api/v1/openapi.json', { token: null });
    assert.equal(response.status, 200);
    const document = JSON.parse(response.text) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    assert.match(document.openapi, /^3\./);
    for (const path of [
      '/healthz',
      '/api/v1/users',
      '/api/v1/users/{address}',
      '/api/v1/users/{address}/password',
      '/api/v1/users/{address}/disable',
      '/api/v1/users/{address}/enable',
      '/api/v1/org',
      '/api/v1/org/units',
      '/api/v1/org/units/rename',
      '/api/v1/org/units/move',
      '/api/v1/org/units/{path}',
      '/api/v1/groups',
      '/api/v1/groups/{name}/members',
      '/api/v1/domains',
      '/api/v1/tokens',
      '/api/v1/tokens/{id}',
      '/api/v1/audit',
      '/api/v1/audit/verify',
    ]) {
      assert.ok(document.paths[path], `${path} is in the document`);
    }
    assert.deepEqual(document.paths['/api/v1/users']?.get?.security, [{ bearerToken: [] }]);
    assert.ok(document.components.securitySchemes.bearerToken);
    for (const schema of ['User', 'OrgUnit', 'Group', 'Domain', 'ApiToken', 'AuditEntry', 'ApiError']) {
      assert.ok(document.components.schemas[schema], `schema ${schema}`);
    }
  });

  test('an API route without a token is 401 AUTH_REQUIRED with a Bearer challenge', async () => {
    const response = await server().call('GET', '/api/v1/users', { token: null });
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="coo"');
    assert.equal(response.json.error.code, 'AUTH_REQUIRED');
    assert.match(response.json.error.message, /Authorization: Bearer/);
  });

  test('an unknown token is 401 AUTH_REQUIRED with error="invalid_token"', async () => {
    for (const token of ['coo_not-a-real-token', 'something-else']) {
      const response = await server().call('GET', '/api/v1/users', { token });
      assert.equal(response.status, 401, token);
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="coo", error="invalid_token"');
      assert.equal(response.json.error.code, 'AUTH_REQUIRED');
      assert.match(response.json.error.message, /invalid, revoked or expired API token/);
    }
  });

  test('an Authorization header that is not Bearer is 401 AUTH_REQUIRED', async () => {
    const response = await server().call('GET', '/api/v1/users', {
      token: null,
      headers: { authorization: 'Basic YWRtaW46cGFzcw==' },
    });
    assert.equal(response.status, 401);
    assert.equal(response.json.error.code, 'AUTH_REQUIRED');
    assert.match(response.json.error.message, /not "Bearer <token>"/);
  });

  test('GET /api/v1/me names the admin the token acts as', async () => {
    const response = await server().call('GET', '/api/v1/me');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { address: ADMIN, tokenName: 'tests' });
  });

  test('a token whose admin was demoted is 403 AUTH_FORBIDDEN', async () => {
    const { services } = server().server;
    await services.directory.users.create(
      `demoted@${DOMAIN}`,
      { displayName: 'Demoted', isAdmin: true },
      CLI_ACTOR,
    );
    const { token } = await services.tokens.create('demoted', `demoted@${DOMAIN}`, CLI_ACTOR);
    assert.equal((await server().call('GET', '/api/v1/users', { token })).status, 200);
    const demote = await server().call('PATCH', `/api/v1/users/demoted@${DOMAIN}`, {
      body: { isAdmin: false },
    });
    assert.equal(demote.status, 200);
    const response = await server().call('GET', '/api/v1/users', { token });
    assert.equal(response.status, 403);
    assert.equal(response.headers['www-authenticate'], undefined);
    assert.equal(response.json.error.code, 'AUTH_FORBIDDEN');
    assert.match(response.json.error.message, /can no longer administer/);
  });

  test('a token whose admin was disabled is 403 AUTH_FORBIDDEN', async () => {
    const { services } = server().server;
    await services.directory.users.create(
      `gone@${DOMAIN}`,
      { displayName: 'Gone', isAdmin: true },
      CLI_ACTOR,
    );
    const { token } = await services.tokens.create('gone', `gone@${DOMAIN}`, CLI_ACTOR);
    assert.equal((await server().call('POST', `/api/v1/users/gone@${DOMAIN}/disable`)).status, 200);
    const response = await server().call('GET', '/api/v1/me', { token });
    assert.equal(response.status, 403);
    assert.equal(response.json.error.code, 'AUTH_FORBIDDEN');
  });

  test('an unknown API route is 404 NOT_FOUND in the error format', async () => {
    const response = await server().call('GET', '/api/v1/nothing-here');
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'NOT_FOUND');
    assert.match(response.json.error.message, /GET \/api\/v1\/nothing-here/);
  });

  test('a malformed JSON body is 400 INVALID_INPUT', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      rawBody: '{"address": "x@example.com",',
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /not valid JSON/);
  });

  test('a body over the limit is 413 REQUEST_TOO_LARGE', async () => {
    const huge = JSON.stringify({ address: `big@${DOMAIN}`, displayName: 'x'.repeat(2 * 1024 * 1024) });
    const response = await server().call('POST', '/api/v1/users', { rawBody: huge });
    assert.equal(response.status, 413);
    assert.equal(response.json.error.code, 'REQUEST_TOO_LARGE');
    assert.match(response.json.error.message, /larger than the limit of 1048576 bytes/);
  });

  test('a body that is not JSON is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      rawBody: 'address=x',
      contentType: 'text/plain',
    });
    assert.equal(response.status, 415);
    assert.equal(response.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(response.json.error.message, /text\/plain/);
  });

  test('a schema violation is 400 INVALID_INPUT naming the field', async () => {
    const response = await server().call('POST', '/api/v1/users', {
      body: { address: `long@${DOMAIN}`, displayName: 'x'.repeat(201) },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /^invalid body: displayName: /);
    assert.deepEqual(
      response.json.error.details.map((d: { field: string }) => d.field),
      ['displayName'],
    );
  });

  test('an unknown body field is refused, named', async () => {
    const response = await server().call('PATCH', `/api/v1/users/${ADMIN}`, { body: { admin: true } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.equal(response.json.error.details[0].field, 'admin');
    assert.match(response.json.error.message, /Unrecognized key/);
  });

  test('a bad query parameter is 400 INVALID_INPUT naming it', async () => {
    const response = await server().call('GET', '/api/v1/users?limit=100000');
    assert.equal(response.status, 400);
    assert.equal(response.json.error.details[0].field, 'limit');
    assert.match(response.json.error.message, /^invalid querystring: limit: /);
  });

  test('a badly percent-encoded URL is 400 INVALID_INPUT', async () => {
    const response = await server().call('GET', '/api/v1/users/%zz');
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
  });

  test('an overlong path parameter is 400 INVALID_INPUT', async () => {
    const response = await server().call('GET', `/api/v1/users/${'x'.repeat(2000)}`);
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'INVALID_INPUT');
    assert.match(response.json.error.message, /longer than 1024 characters/);
  });

  test('answers carry a request id, nosniff, and no-store on the API', async () => {
    const response = await server().call('GET', '/api/v1/users');
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  test('each request is logged once with its status and admin', async () => {
    const response = await server().call('GET', '/api/v1/domains');
    const id = response.headers['x-request-id'];
    const lines = server()
      .logLines()
      .filter((line) => line.reqId === id);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.status, 200);
    assert.equal(lines[0]?.admin, ADMIN);
    assert.equal(lines[0]?.url, '/api/v1/domains');
  });
});
