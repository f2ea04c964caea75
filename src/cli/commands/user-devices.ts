import { CLI_ACTOR } from '../../directory/types.ts';
import type { Services } from '../../services.ts';
import { parseCommand, parseWholeNumber, positional } from '../args.ts';
import { formatTime, print, printJson, printTable } from '../output.ts';
import { withServices } from '../with-services.ts';

/** The usage lines of the device subcommands, part of `coo user --help`. */
export const deviceUsage = `  user devices ADDRESS [--json]
      Lists the user's messenger devices: id, kind, name, last seen, whether
      remembered (has a resume token).
  user revoke-device ADDRESS ID
      Revokes a device: its resume token stops working and its open
      messenger sessions close within seconds.`;

const TOPIC = 'user';

async function deviceService(services: Services) {
  const { DeviceService } = await import('../../im/sessions/device-service.ts');
  return new DeviceService({ store: services.store, audit: services.audit, users: services.directory.users });
}

export async function devices(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'user devices',
    args,
    options: { json: { type: 'boolean' } },
    positionals: ['ADDRESS'],
  });
  const address = positional(positionals, 0);
  const list = await withServices(values.data, async (services) =>
    (await deviceService(services)).listOf(address),
  );
  if (values.json) {
    printJson(list);
    return 0;
  }
  if (list.length === 0) {
    print(`${address} has no active messenger devices`);
    return 0;
  }
  printTable(
    ['id', 'kind', 'name', 'last seen', 'from', 'remembered'],
    list.map((d) => [
      String(d.id),
      d.kind,
      d.name,
      formatTime(d.lastSeenAt),
      d.lastRemote,
      d.remembered ? 'yes' : 'no',
    ]),
    { alignRight: [0] },
  );
  return 0;
}

export async function revokeDevice(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand({
    topic: TOPIC,
    command: 'user revoke-device',
    args,
    options: {},
    positionals: ['ADDRESS', 'ID'],
  });
  const address = positional(positionals, 0);
  const id = parseWholeNumber('device ID', positional(positionals, 1), 1);
  await withServices(values.data, async (services) =>
    (await deviceService(services)).revokeOf(address, id, CLI_ACTOR),
  );
  print(`revoked device ${id} of ${address}; its open sessions close within seconds`);
  return 0;
}
