import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { CLI_ACTOR } from '../../directory/types.ts';
import { installErrorHandling } from '../../http/error-handler.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { servicesOver, userWithDeviceService } from '../../../test/support/services.ts';
import type { DeviceService } from './device-service.ts';
import { imUserOf, requireUserSession } from './rest-auth.ts';

describeOnEachDatabase('requireUserSession: client REST with a device token', (context) => {
  let app: FastifyInstance;
  let devices: DeviceService;
  let token: string;
  let userId: number;

  before(async () => {
    await servicesOver(context.store).directory.domains.add('example.com', CLI_ACTOR);
    const made = await userWithDeviceService(context.store, 'rest@example.com', { displayName: 'Rest User' });
    devices = made.devices;
    const row = made.row;
    userId = row.id;
    const login = await devices.register(
      row,
      { kind: 'web', name: 'Browser' },
      { remember: true, remote: '::1' },
    );
    token = login.resumeToken ?? '';
    app = Fastify();
    installErrorHandling(app);
    app.decorateRequest('imUser', null);
    app.get('/api/v1/im/whoami', { preHandler: requireUserSession(devices) }, async (request) =>
      imUserOf(request),
    );
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  test('a valid device token puts the user and device on the request', async () => {
    const response = await app.inject({
      url: '/api/v1/im/whoami',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<Record<string, unknown>>();
    assert.equal(body.userId, userId);
    assert.equal(body.address, 'rest@example.com');
    assert.equal(body.deviceKind, 'web');
  });

  test('no header, a malformed one, or an unknown token is 401 with a Bearer challenge', async () => {
    for (const authorization of [
      undefined,
      'Basic abc',
      'Bearer',
      `Bearer coo_dev_${'x'.repeat(43)}`,
      'Bearer a b',
    ]) {
      const response = await app.inject({
        url: '/api/v1/im/whoami',
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'AUTH_REQUIRED');
    }
    const challenged = await app.inject({
      url: '/api/v1/im/whoami',
      headers: { authorization: 'Bearer nope' },
    });
    assert.match(String(challenged.headers['www-authenticate']), /error="invalid_token"/);
  });

  test('the token of a device not remembered works while its session lasts, and not after', async () => {
    const row = await servicesOver(context.store).directory.users.requireRow('rest@example.com');
    const login = await devices.register(
      row,
      { kind: 'web', name: 'Kiosk' },
      { remember: false, remote: '::1' },
    );
    const call = () =>
      app.inject({
        url: '/api/v1/im/whoami',
        headers: { authorization: `Bearer ${login.sessionToken ?? ''}` },
      });
    assert.equal(login.resumeToken, undefined);
    assert.equal((await call()).statusCode, 200);
    await devices.endUnremembered({ id: login.device.id, userId });
    assert.equal((await call()).statusCode, 401);
  });

  test('a revoked device token stops working at once', async () => {
    const [device] = (await devices.list(userId)).filter((d) => d.remembered);
    assert.ok(device);
    await devices.revoke(userId, device.id, CLI_ACTOR);
    const response = await app.inject({
      url: '/api/v1/im/whoami',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.statusCode, 401);
  });
});
