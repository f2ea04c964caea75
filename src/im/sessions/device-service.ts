import { auditRecord, type Actor, type AuditSink } from '../../directory/types.ts';
import type { UserService } from '../../directory/user-service.ts';
import { accountProblem } from '../../directory/validity.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { DeviceKind } from '../../protocol/im/frames.ts';
import type { DeviceDescription, DeviceInfo } from '../../protocol/im/session.ts';
import { inTransaction, type Store } from '../../store/database.ts';
import * as devices from '../../store/im-sessions.ts';
import { findUserById, type UserRow } from '../../store/users.ts';
import {
  looksLikeResumeToken,
  newResumeToken,
  RESUME_TOKEN_TTL_MS,
  resumeTokenDigest,
} from './device-tokens.ts';
import {
  DOWNLOAD_TICKET_TTL_MS,
  downloadTicketHolds,
  downloadTicketMac,
  formatDownloadTicket,
  parseDownloadTicket,
} from './download-tickets.ts';

/** Who logged in, as the session needs it. */
export interface DeviceOwnerInfo {
  id: number;
  address: string;
  name: string;
  admin: boolean;
}

export interface DeviceLogin {
  user: DeviceOwnerInfo;
  device: devices.DeviceRow;
  /** From a password login with `remember`: the token that resumes this device (and serves REST). */
  resumeToken?: string;
  /** From a password login without `remember`: the token for the client REST API while the session lasts. */
  sessionToken?: string;
}

export interface DeviceServiceDeps {
  store: Store;
  audit: AuditSink;
  users: UserService;
  now?: () => number;
}

/**
 * Devices and their resume tokens: made at password login, checked on
 * resume (without argon2: the token is 256 random bits, stored as SHA-256),
 * listed and revoked by their owner and by admins. Used by the gateway, the
 * REST API and the CLI alike; closing the open sessions of a revoked device
 * is the caller's part (SessionControl), since the CLI has no connections.
 */
export class DeviceService {
  readonly #deps: DeviceServiceDeps;
  readonly #now: () => number;

  constructor(deps: DeviceServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** After a successful password login: a new device, remembered (with a resume token) or not. */
  async register(
    user: UserRow,
    description: DeviceDescription,
    options: { remember: boolean; remote: string },
  ): Promise<DeviceLogin> {
    const now = this.#now();
    const token = newResumeToken();
    const device = await devices.insertDevice(this.#deps.store.db, {
      user_id: user.id,
      kind: description.kind,
      name: description.name,
      token_hash: resumeTokenDigest(token),
      remembered: options.remember ? 1 : 0,
      created_at: now,
      last_seen_at: now,
      last_remote: options.remote,
      expires_at: options.remember ? now + RESUME_TOKEN_TTL_MS : null,
      revoked_at: null,
    });
    return {
      user: ownerInfo(user),
      device,
      ...(options.remember ? { resumeToken: token } : { sessionToken: token }),
    };
  }

  /**
   * Logs a remembered device in again: the token must be known, not revoked
   * or expired, and its account still allowed to log in. Audited as
   * 'auth.resume', whatever the outcome.
   */
  async resume(
    token: string,
    context: { protocol: string; remote: string; rename?: string },
  ): Promise<DeviceLogin> {
    const now = this.#now();
    const found = looksLikeResumeToken(token)
      ? await devices.findDeviceWithOwner(this.#deps.store.db, resumeTokenDigest(token))
      : undefined;
    const fail = async (target: string, reason: string, error: CooError): Promise<never> => {
      const actor = { name: target, protocol: context.protocol, remote: context.remote };
      await this.#deps.audit.append(auditRecord(actor, 'auth.resume', target, { reason }, 'failure'));
      throw error;
    };
    // Made only on failure: capturing a stack on every successful resume costs more than the lookup.
    const invalid = () =>
      new CooError(
        ErrorCode.IM_RESUME_INVALID,
        'this device must log in with its password again (unknown, revoked or expired resume token)',
      );
    if (!found) return fail('unknown', 'unknown-token', invalid());
    const { device, owner } = found;
    if (device.revoked_at !== null) return fail(owner.address, 'revoked', invalid());
    // The token of a device not remembered serves REST during its session; it never resumes.
    if (device.remembered !== 1) return fail(owner.address, 'not-remembered', invalid());
    if (device.expires_at !== null && now > device.expires_at)
      return fail(owner.address, 'expired', invalid());
    const problem = accountProblem(owner, now);
    if (problem) return fail(owner.address, problem.code, new CooError(problem.code, problem.message));
    const actor = { name: owner.address, protocol: context.protocol, remote: context.remote };
    await inTransaction(this.#deps.store.db, async (tx) => {
      await devices.touchDevice(tx, device.id, {
        now,
        remote: context.remote,
        expiresAt: now + RESUME_TOKEN_TTL_MS,
        name: context.rename,
      });
      await this.#deps.audit.append(
        auditRecord(actor, 'auth.resume', owner.address, { device: device.id }),
        tx,
      );
    });
    const updated = {
      ...device,
      last_seen_at: now,
      last_remote: context.remote,
      name: context.rename ?? device.name,
    };
    return {
      user: ownerInfo(owner),
      device: updated,
    };
  }

  /**
   * Checks a device token used as a bearer token on the client REST API:
   * the same rules as resume (but a device not remembered is accepted while
   * its session lasts), without an audit entry per request; the device's
   * last use is recorded at most once a minute.
   */
  async authenticate(token: string, remote: string): Promise<DeviceLogin> {
    const now = this.#now();
    const found = looksLikeResumeToken(token)
      ? await devices.findDeviceWithOwner(this.#deps.store.db, resumeTokenDigest(token))
      : undefined;
    if (!found || !usableDevice(found.device, now)) {
      throw new CooError(ErrorCode.AUTH_REQUIRED, 'invalid, revoked or expired device token');
    }
    const { device, owner } = found;
    const problem = accountProblem(owner, now);
    if (problem) throw new CooError(problem.code, problem.message);
    if (now - device.last_seen_at > 60_000) {
      await devices.touchDevice(this.#deps.store.db, device.id, {
        now,
        remote,
        expiresAt: device.remembered === 1 ? now + RESUME_TOKEN_TTL_MS : null,
      });
    }
    return {
      user: ownerInfo(owner),
      device,
    };
  }

  /** A download ticket for this file, signed for the device (download-tickets.ts). */
  async issueDownloadTicket(
    deviceId: number,
    fileId: string,
  ): Promise<{ ticket: string; expiresAt: number }> {
    const found = await devices.findDeviceWithOwnerById(this.#deps.store.db, deviceId);
    const digest = found?.device.token_hash;
    if (!found || !digest || !usableDevice(found.device, this.#now())) {
      throw new CooError(ErrorCode.AUTH_REQUIRED, 'invalid, revoked or expired device token');
    }
    const expiresAt = this.#now() + DOWNLOAD_TICKET_TTL_MS;
    const mac = downloadTicketMac(digest, fileId, deviceId, expiresAt);
    return { ticket: formatDownloadTicket({ deviceId, expiresAt, mac }), expiresAt };
  }

  /**
   * The device and owner a download ticket for this file speaks for, checked
   * as a bearer token is (device usable, account valid); AUTH_REQUIRED with
   * the reason otherwise.
   */
  async authenticateDownloadTicket(text: string, fileId: string): Promise<DeviceLogin> {
    const now = this.#now();
    const ticket = parseDownloadTicket(text);
    if (!ticket) throw new CooError(ErrorCode.AUTH_REQUIRED, 'this download link is not valid');
    if (now > ticket.expiresAt) {
      throw new CooError(ErrorCode.AUTH_REQUIRED, 'this download link has expired: download the file again');
    }
    const found = await devices.findDeviceWithOwnerById(this.#deps.store.db, ticket.deviceId);
    const digest = found?.device.token_hash;
    if (
      !found ||
      !digest ||
      !usableDevice(found.device, now) ||
      !downloadTicketHolds(ticket, digest, fileId)
    ) {
      throw new CooError(ErrorCode.AUTH_REQUIRED, 'this download link is not valid');
    }
    const problem = accountProblem(found.owner, now);
    if (problem) throw new CooError(problem.code, problem.message);
    const { device, owner } = found;
    return {
      user: ownerInfo(owner),
      device,
    };
  }

  /** A device that is not remembered ends with its connection: nothing can resume it. */
  async endUnremembered(device: { id: number; userId: number }): Promise<void> {
    await devices.revokeDevice(this.#deps.store.db, device.userId, device.id, this.#now());
  }

  /** The user's active devices. */
  async list(userId: number): Promise<DeviceInfo[]> {
    return (await devices.listActiveDevices(this.#deps.store.db, userId, this.#now())).map(toDeviceInfo);
  }

  /** The active devices of the account at this address (for admins). */
  async listOf(address: string): Promise<DeviceInfo[]> {
    const user = await this.#deps.users.requireRow(address);
    return this.list(user.id);
  }

  /** Revokes one of the user's devices; its token stops working at once. Audited as 'device.revoke'. */
  async revoke(userId: number, deviceId: number, actor: Actor): Promise<void> {
    const row = await devices.findDevice(this.#deps.store.db, deviceId);
    const user = row?.user_id === userId ? await findUserById(this.#deps.store.db, userId) : undefined;
    await this.#revoke(user, deviceId, actor);
  }

  /** Revokes a device of the account at this address (for admins). */
  async revokeOf(address: string, deviceId: number, actor: Actor): Promise<void> {
    await this.#revoke(await this.#deps.users.requireRow(address), deviceId, actor);
  }

  async #revoke(user: UserRow | undefined, deviceId: number, actor: Actor): Promise<void> {
    await inTransaction(this.#deps.store.db, async (tx) => {
      const revoked = user !== undefined && (await devices.revokeDevice(tx, user.id, deviceId, this.#now()));
      if (!revoked || !user) {
        throw new CooError(
          ErrorCode.NOT_FOUND,
          `no active device ${deviceId}${user ? ` of ${user.address}` : ''}`,
        );
      }
      await this.#deps.audit.append(
        auditRecord(actor, 'device.revoke', user.address, { device: deviceId }),
        tx,
      );
    });
  }
}

/** A user row or a device's owner, as a session sees them. */
function ownerInfo(user: Pick<UserRow, 'id' | 'address' | 'display_name' | 'is_admin'>): DeviceOwnerInfo {
  return { id: user.id, address: user.address, name: user.display_name, admin: user.is_admin === 1 };
}

export function toDeviceInfo(row: devices.DeviceRow): DeviceInfo {
  return {
    id: row.id,
    kind: row.kind as DeviceKind,
    name: row.name,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    lastRemote: row.last_remote,
    remembered: row.remembered === 1,
    expiresAt: row.expires_at,
  };
}

/** Not revoked and not past its expiry. */
function usableDevice(device: devices.DeviceRow, now: number): boolean {
  return device.revoked_at === null && (device.expires_at === null || now <= device.expires_at);
}
