import { auditRecord, type AuditSink } from '../../directory/types.ts';
import type { Logger } from '../../log.ts';
import type { DeviceKind } from '../../protocol/im/frames.ts';
import type { HelloResult } from '../../protocol/im/session.ts';
import type { Services } from '../../services.ts';
import type { AdminSettings } from '../../settings/admin-settings.ts';
import type { EndReason, GatewayConnection } from '../gateway/connection.ts';
import type { SessionGate } from '../gateway/session-gate.ts';
import type { ImSession } from '../types.ts';
import type { DeviceLogin, DeviceService } from './device-service.ts';
import { helloSchema, type HelloFrame } from './hello-schema.ts';
import { DEFAULT_LOGIN_POLICY } from './login-policy.ts';
import type { SessionControl } from './session-control.ts';
import type { LoginPolicy } from '../../protocol/im/session.ts';

/**
 * Logging in and out over the WebSocket: the password goes through the one
 * AuthService (throttle, validity, audit), a resume token through the
 * DeviceService (no argon2). Once the hello is answered, the login policy
 * ends older sessions; when the connection closes, the logout is audited and
 * a device that was not remembered is forgotten.
 */
export class SessionService implements SessionGate {
  readonly helloSchema = helloSchema;
  readonly #services: Services;
  readonly #devices: DeviceService;
  readonly #control: SessionControl;
  readonly #settings: AdminSettings;
  readonly #audit: AuditSink;
  readonly #logger: Logger;
  /** Sessions whose device is not remembered, to forget the device when they end. */
  readonly #unremembered = new Set<string>();

  constructor(deps: {
    services: Services;
    devices: DeviceService;
    control: SessionControl;
    settings: AdminSettings;
    logger: Logger;
  }) {
    this.#services = deps.services;
    this.#devices = deps.devices;
    this.#control = deps.control;
    this.#settings = deps.settings;
    this.#audit = deps.services.audit;
    this.#logger = deps.logger;
  }

  async hello(
    frame: unknown,
    context: { connectionId: string; remote: string },
  ): Promise<{ session: ImSession; data: unknown }> {
    const hello = frame as HelloFrame;
    const login = await this.#login(hello, context.remote);
    const session: ImSession = {
      id: context.connectionId,
      userId: login.user.id,
      address: login.user.address,
      deviceId: login.device.id,
      deviceKind: login.device.kind as DeviceKind,
      deviceName: login.device.name,
      remote: context.remote,
    };
    const remembered = login.device.remembered === 1;
    if (!remembered) this.#unremembered.add(session.id);
    const data: HelloResult = {
      user: login.user,
      device: { id: login.device.id, kind: session.deviceKind, name: session.deviceName },
      session: session.id,
    };
    if (login.resumeToken !== undefined) data.resumeToken = login.resumeToken;
    if (login.sessionToken !== undefined) data.sessionToken = login.sessionToken;
    return { session, data };
  }

  async opened(connection: GatewayConnection): Promise<void> {
    await this.#control.replaceOlder(connection, await this.loginPolicy());
  }

  async ended(connection: GatewayConnection, reason: EndReason): Promise<void> {
    const session = connection.session;
    if (this.#unremembered.delete(session.id)) {
      await this.#devices.endUnremembered({ id: session.deviceId, userId: session.userId });
    }
    const actor = { name: session.address, protocol: 'ws', remote: session.remote };
    const details = { reason, device: session.deviceId, session: session.id };
    await this.#audit.append(auditRecord(actor, 'auth.logout', session.address, details));
    this.#logger.info({ user: session.address, device: session.deviceId, reason }, 'im: session ended');
  }

  async loginPolicy(): Promise<LoginPolicy> {
    try {
      return (await this.#settings.get('im.login-policy')).value as LoginPolicy;
    } catch (error) {
      this.#logger.warn({ err: error }, 'im: cannot read the login policy; applying the default');
      return DEFAULT_LOGIN_POLICY;
    }
  }

  async #login(hello: HelloFrame, remote: string): Promise<DeviceLogin> {
    if (hello.auth.kind === 'resume') {
      return this.#devices.resume(hello.auth.token, { protocol: 'ws', remote, rename: hello.device?.name });
    }
    const user = await this.#services.auth.login({
      login: hello.auth.login,
      password: hello.auth.password,
      protocol: 'ws',
      remote,
    });
    // The schema requires a device with a password.
    const device = hello.device ?? { kind: 'web' as const, name: 'unnamed' };
    return this.#devices.register(user, device, { remember: hello.remember === true, remote });
  }
}
