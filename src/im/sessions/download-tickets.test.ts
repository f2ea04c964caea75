import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { CLI_ACTOR } from '../../directory/types.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { servicesOver, userWithDeviceService } from '../../../test/support/services.ts';
import type { DeviceService } from './device-service.ts';
import { DOWNLOAD_TICKET_TTL_MS, parseDownloadTicket } from './download-tickets.ts';

const FILE = 'a'.repeat(32);
const OTHER_FILE = 'b'.repeat(32);

describeOnEachDatabase('download tickets', (context) => {
  let now = Date.UTC(2026, 10, 22, 12, 0, 0);
  let devices: DeviceService;
  let deviceId: number;
  let otherDeviceId: number;
  let userId: number;

  before(async () => {
    await servicesOver(context.store).directory.domains.add('tickets.example', CLI_ACTOR);
    const made = await userWithDeviceService(context.store, 'dl@tickets.example', { now: () => now });
    devices = made.devices;
    userId = made.row.id;
    const device = { kind: 'web' as const, name: 'Browser' };
    deviceId = (await devices.register(made.row, device, { remember: true, remote: '::1' })).device.id;
    otherDeviceId = (await devices.register(made.row, device, { remember: false, remote: '::1' })).device.id;
  });

  const rejects = (ticket: string, fileId: string, message: RegExp) =>
    assert.rejects(devices.authenticateDownloadTicket(ticket, fileId), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'AUTH_REQUIRED');
      assert.match(error.message, message);
      return true;
    });

  test('a ticket speaks for its device and user, for its file, until it expires', async () => {
    const { ticket, expiresAt } = await devices.issueDownloadTicket(deviceId, FILE);
    assert.equal(expiresAt, now + DOWNLOAD_TICKET_TTL_MS);
    const login = await devices.authenticateDownloadTicket(ticket, FILE);
    assert.equal(login.device.id, deviceId);
    assert.equal(login.user.id, userId);
    assert.equal(login.user.address, 'dl@tickets.example');
    // A session's device (not remembered) gets tickets too: its session token is its digest.
    const session = await devices.issueDownloadTicket(otherDeviceId, FILE);
    assert.equal((await devices.authenticateDownloadTicket(session.ticket, FILE)).device.id, otherDeviceId);

    now += DOWNLOAD_TICKET_TTL_MS;
    assert.equal((await devices.authenticateDownloadTicket(ticket, FILE)).device.id, deviceId);
    now += 1;
    await rejects(ticket, FILE, /expired/);
  });

  test('another file, a changed MAC, device or expiry, or a malformed ticket is refused', async () => {
    const { ticket } = await devices.issueDownloadTicket(deviceId, FILE);
    const parsed = parseDownloadTicket(ticket);
    assert.ok(parsed);
    await rejects(ticket, OTHER_FILE, /not valid/);
    const flipped = parsed.mac.endsWith('A') ? 'B' : 'A';
    await rejects(`${ticket.slice(0, -1)}${flipped}`, FILE, /not valid/);
    await rejects(`${otherDeviceId}.${parsed.expiresAt}.${parsed.mac}`, FILE, /not valid/);
    await rejects(`${deviceId}.${parsed.expiresAt + 1000}.${parsed.mac}`, FILE, /not valid/);
    for (const malformed of [
      '',
      'x',
      `${deviceId}.${parsed.expiresAt}`,
      `${ticket}.1`,
      `-1.1.${parsed.mac}`,
    ]) {
      await rejects(malformed, FILE, /not valid/);
    }
    await rejects(`999999.${parsed.expiresAt}.${parsed.mac}`, FILE, /not valid/);
  });

  test('a revoked device ends its tickets at once', async () => {
    const { ticket } = await devices.issueDownloadTicket(otherDeviceId, FILE);
    await devices.revoke(userId, otherDeviceId, CLI_ACTOR);
    await rejects(ticket, FILE, /not valid/);
    await assert.rejects(devices.issueDownloadTicket(otherDeviceId, FILE), { code: 'AUTH_REQUIRED' });
  });
});
