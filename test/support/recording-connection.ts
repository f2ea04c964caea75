import type { DeviceKind, ServerFrame } from '../../src/protocol/im/frames.ts';
import type { ImConnection, ImSession } from '../../src/im/types.ts';

let nextSession = 0;

/**
 * A connection as the gateway hands it to services, recording what is sent
 * to it: for unit tests of a service without sockets (end-to-end tests use
 * real WebSocket clients).
 */
export class RecordingConnection implements ImConnection {
  readonly session: ImSession;
  readonly frames: ServerFrame[] = [];

  constructor(userId: number, deviceId: number, deviceKind: DeviceKind = 'desktop') {
    this.session = {
      id: `session-${++nextSession}`,
      userId,
      address: `user${userId}@example.com`,
      deviceId,
      deviceKind,
      deviceName: `${deviceKind} ${deviceId}`,
      remote: '127.0.0.1',
    };
  }

  send(frame: ServerFrame): void {
    this.frames.push(frame);
  }

  /** The frames of type t received so far, removed from the record. */
  take(t: string): ServerFrame[] {
    const taken = this.frames.filter((frame) => frame.t === t);
    this.frames.splice(0, this.frames.length, ...this.frames.filter((frame) => frame.t !== t));
    return taken;
  }
}
