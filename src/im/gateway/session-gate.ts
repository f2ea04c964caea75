import type { z } from 'zod';
import type { ImSession } from '../types.ts';
import type { EndReason, GatewayConnection } from './connection.ts';

/**
 * What the gateway needs from the sessions area: checking a `hello`, and
 * being told when a session has begun (the login policy) and ended (the
 * logout audit). The gateway knows nothing of passwords or devices.
 */
export interface SessionGate {
  /** The schema of the whole `hello` frame. */
  helloSchema: z.ZodType;
  /** Authenticates; throws a CooError (AUTH_FAILED, IM_RESUME_INVALID…) to refuse. */
  hello(
    frame: unknown,
    context: { connectionId: string; remote: string },
  ): Promise<{ session: ImSession; data: unknown }>;
  /** The hello was answered and the connection registered; runs before the areas' lifecycles. */
  opened(connection: GatewayConnection): Promise<void>;
  /** The connection closed; runs after the areas' lifecycles. Also for a hello that outlived its socket. */
  ended(connection: GatewayConnection, reason: EndReason): Promise<void>;
}
