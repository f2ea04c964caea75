import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImTestClient, startImServer, type ImTestServer } from './support/im-server.ts';

const desktop = { kind: 'desktop', name: 'Office' } as const;
const phone = { kind: 'mobile', name: 'Phone' } as const;

describe('messenger sessions on PostgreSQL', () => {
  let server: ImTestServer;
  before(async () => {
    server = await startImServer({ database: 'postgres' });
  });
  after(async () => {
    await server.stop();
  });

  test('hello by password and by resume token; a new login replaces the old session', async () => {
    const user = await server.createUser('pg-user', { name: 'PG User' });
    const first = await ImTestClient.connect(server);
    const hello = await first.hello(user.address, user.password, { device: desktop, remember: true });
    assert.equal(hello.user.id, user.id);
    const second = await ImTestClient.connect(server);
    const resumed = await second.resume(hello.resumeToken ?? '');
    assert.equal(resumed.device.id, hello.device.id);
    assert.deepEqual(await first.next('session.replaced'), { t: 'session.replaced', by: desktop });
    assert.equal((await first.closed).code, 4001);
    const { devices } = (await second.request('session.devices')) as { devices: { id: number }[] };
    assert.deepEqual(
      devices.map((d) => d.id),
      [hello.device.id],
    );
    await second.close();
  });
});

describe('messenger across two nodes (one PostgreSQL, one Redis)', () => {
  let nodeA: ImTestServer;
  let nodeB: ImTestServer;
  before(async () => {
    nodeA = await startImServer({ database: 'postgres', redis: true });
    nodeB = await nodeA.addNode();
  });
  after(async () => {
    await nodeA.stop();
  });

  test('a delivery made on one node reaches the user connected to the other', async () => {
    const user = await nodeA.createUser('far-away');
    const client = await ImTestClient.connect(nodeB);
    await client.hello(user.address, user.password);
    await nodeA.server.messenger.delivery.toUsers([user.id], { t: 'test.remote', from: 'A' });
    assert.deepEqual(await client.next('test.remote'), { t: 'test.remote', from: 'A' });
    await client.close();
  });

  test('a login on one node replaces the session on the other (single policy)', async () => {
    const user = await nodeA.createUser('roamer');
    const onA = await ImTestClient.connect(nodeA);
    await onA.hello(user.address, user.password, { device: desktop });
    const onB = await ImTestClient.connect(nodeB);
    await onB.hello(user.address, user.password, { device: phone });
    assert.deepEqual(await onA.next('session.replaced'), { t: 'session.replaced', by: phone });
    assert.equal((await onA.closed).code, 4001);
    await onB.noFrame('session.replaced', 300);
    assert.equal(onB.isOpen, true);
    await onB.close();
  });

  test('revoking a device through one node closes its session on the other', async () => {
    const user = await nodeA.createUser('revoked-remote');
    const client = await ImTestClient.connect(nodeB);
    const hello = await client.hello(user.address, user.password, { remember: true });
    const response = await nodeA.call('DELETE', `/api/v1/users/${user.address}/devices/${hello.device.id}`);
    assert.equal(response.status, 204, response.text);
    await client.next('session.revoked');
    assert.equal((await client.closed).code, 4002);
  });
});
