import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { ImDeviceTable } from './schema-sessions.ts';

export type DeviceRow = Selectable<ImDeviceTable>;
export type NewDeviceRow = Omit<Insertable<ImDeviceTable>, 'id'>;

export async function insertDevice(db: Executor, row: NewDeviceRow): Promise<DeviceRow> {
  return db.insertInto('im_devices').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findDeviceByTokenHash(db: Executor, tokenHash: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('im_devices').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function findDevice(db: Executor, id: number): Promise<DeviceRow | undefined> {
  return db.selectFrom('im_devices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Records a resume: when and from where, and pushes the token's expiry on. */
export async function touchDevice(
  db: Executor,
  id: number,
  fields: { now: number; remote: string; expiresAt: number | null; name?: string },
): Promise<void> {
  await db
    .updateTable('im_devices')
    .set({
      last_seen_at: fields.now,
      last_remote: fields.remote,
      expires_at: fields.expiresAt,
      ...(fields.name === undefined ? {} : { name: fields.name }),
    })
    .where('id', '=', id)
    .execute();
}

/** A user's devices that are neither revoked nor expired, most recently seen first. */
export function listActiveDevices(db: Executor, userId: number, now: number): Promise<DeviceRow[]> {
  return db
    .selectFrom('im_devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('last_seen_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one device of the user; false when it is not theirs or already revoked. */
export async function revokeDevice(db: Executor, userId: number, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('im_devices')
    .set({ revoked_at: now, token_hash: null })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ids of devices revoked at or after `since` (ms), for nodes that must close their sessions. */
export async function devicesRevokedSince(db: Executor, since: number): Promise<number[]> {
  const rows = await db.selectFrom('im_devices').select('id').where('revoked_at', '>=', since).execute();
  return rows.map((row) => row.id);
}

/**
 * Users whose account was changed since `since` (and may now be disabled or
 * outside its validity period), or whose validity period ended since then:
 * their open sessions must be checked.
 */
export async function usersChangedOrExpiredSince(db: Executor, since: number, now: number) {
  return db
    .selectFrom('users')
    .select(['id', 'disabled', 'valid_from', 'valid_until'])
    .where((eb) =>
      eb.or([
        eb('updated_at', '>=', since),
        eb.and([eb('valid_until', '>=', since), eb('valid_until', '<=', now)]),
        eb.and([eb('valid_from', '>=', since), eb('valid_from', '<=', now)]),
      ]),
    )
    .execute();
}

/** The account fields a resume checks, fetched with the device in one query. */
export interface DeviceOwner {
  id: number;
  address: string;
  display_name: string;
  disabled: number;
  is_admin: number;
  valid_from: number | null;
  valid_until: number | null;
}

/** The device holding this resume token, with its owner: one round trip per reconnect. */
export function findDeviceWithOwner(
  db: Executor,
  tokenHash: string,
): Promise<{ device: DeviceRow; owner: DeviceOwner } | undefined> {
  return deviceWithOwner(db, { tokenHash });
}

/** The same by the device's id: a download ticket names its device (im/files/download-ticket.ts). */
export function findDeviceWithOwnerById(
  db: Executor,
  id: number,
): Promise<{ device: DeviceRow; owner: DeviceOwner } | undefined> {
  return deviceWithOwner(db, { id });
}

async function deviceWithOwner(
  db: Executor,
  key: { tokenHash: string } | { id: number },
): Promise<{ device: DeviceRow; owner: DeviceOwner } | undefined> {
  const query = db
    .selectFrom('im_devices')
    .innerJoin('users', 'users.id', 'im_devices.user_id')
    .selectAll('im_devices')
    .select([
      'users.address as owner_address',
      'users.display_name as owner_display_name',
      'users.disabled as owner_disabled',
      'users.is_admin as owner_is_admin',
      'users.valid_from as owner_valid_from',
      'users.valid_until as owner_valid_until',
    ]);
  const row = await (
    'id' in key
      ? query.where('im_devices.id', '=', key.id)
      : query.where('im_devices.token_hash', '=', key.tokenHash)
  ).executeTakeFirst();
  if (!row) return undefined;
  const {
    owner_address,
    owner_display_name,
    owner_disabled,
    owner_is_admin,
    owner_valid_from,
    owner_valid_until,
    ...device
  } = row;
  return {
    device,
    owner: {
      id: device.user_id,
      address: owner_address,
      display_name: owner_display_name,
      disabled: owner_disabled,
      is_admin: owner_is_admin,
      valid_from: owner_valid_from,
      valid_until: owner_valid_until,
    },
  };
}
