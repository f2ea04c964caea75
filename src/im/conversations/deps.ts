import type { CoreServices } from '../../services.ts';
import type {
  AttachmentRegistry,
  ImSession,
  OnlineCheck,
  PushNotifier,
  UserDelivery,
  VisibilityPolicy,
} from '../types.ts';

/** Where failures after a commit go: the change stands, so they are logged, not answered. */
export interface ErrorLog {
  error(context: object, message: string): void;
}

/** What the chat and memo services are built on: the foundation's services and the other areas' pieces. */
export interface MessagingDeps {
  services: CoreServices;
  delivery: UserDelivery;
  policy: VisibilityPolicy;
  online: OnlineCheck;
  push: PushNotifier;
  attachments: AttachmentRegistry;
  log: ErrorLog;
  /** The clock; tests set it. */
  now?: () => number;
}

/** Who acts, for rights, the audit log and not echoing an event to the session that caused it. */
export interface ImActor {
  userId: number;
  address: string;
  /** 'ws' for the messenger, 'http' for REST, 'bot' for the integration API. */
  protocol: string;
  remote: string;
  /** The WebSocket session asking; it gets the answer, so events skip it. */
  sessionId?: string;
}

export function actorOfSession(session: ImSession): ImActor {
  return {
    userId: session.userId,
    address: session.address,
    protocol: 'ws',
    remote: session.remote,
    sessionId: session.id,
  };
}
