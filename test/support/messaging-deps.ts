import { randomUUID } from 'node:crypto';
import { CooError } from '../../src/errors.ts';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import type { ImActor, MessagingDeps } from '../../src/im/conversations/deps.ts';
import type {
  AttachmentInfo,
  AttachmentRegistry,
  OnlineCheck,
  PushNotifier,
  UserDelivery,
  VisibilityPolicy,
} from '../../src/im/types.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import type { ServerFrame } from '../../src/protocol/im/frames.ts';
import type { CoreServices } from '../../src/services.ts';
import { allowAll } from './simple-policies.ts';

/**
 * Simple real implementations of what the chat and memo services need from
 * other areas, recording what they are asked, for service tests without
 * sockets (end-to-end tests use the real gateway and WebSocket clients).
 */

export interface Delivered {
  userIds: number[];
  frame: ServerFrame;
  exceptSession?: string;
}

/** Delivers nowhere; remembers every delivery. */
export class RecordingDelivery implements UserDelivery {
  readonly sent: Delivered[] = [];

  async toUsers(userIds: readonly number[], frame: ServerFrame, options: { exceptSession?: string } = {}) {
    this.sent.push({ userIds: [...userIds], frame, ...options });
  }

  /** Frames (of type t, when given) addressed to the user, in order. */
  to(userId: number, t?: string): ServerFrame[] {
    return this.sent
      .filter((d) => d.userIds.includes(userId) && (t === undefined || d.frame.t === t))
      .map((d) => d.frame);
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export class RecordingPush implements PushNotifier {
  readonly calls: { userIds: number[]; notification: { title: string; body: string } }[] = [];

  async notify(userIds: readonly number[], notification: { title: string; body: string }) {
    this.calls.push({ userIds: [...userIds], notification });
  }

  /** Users pushed to, in order, flattened. */
  get pushedUsers(): number[] {
    return this.calls.flatMap((c) => c.userIds);
  }
}

export class OnlineSet implements OnlineCheck {
  readonly online = new Set<number>();

  isOnline(userId: number): boolean {
    return this.online.has(userId);
  }
}

/** Uploads in memory: attach() accepts only the uploader's own files, like the real registry. */
export class MemoryAttachments implements AttachmentRegistry {
  readonly #files = new Map<string, { uploaderId: number; info: AttachmentInfo }>();
  readonly attached: { fileId: string; target: { conversationId: number } | { memoId: number } }[] = [];

  upload(uploaderId: number, name: string, size = 1234): string {
    const id = randomUUID();
    this.#files.set(id, {
      uploaderId,
      info: {
        id,
        name,
        size,
        mimeType: 'application/octet-stream',
        sha256: '0'.repeat(64),
        hasPreview: false,
      },
    });
    return id;
  }

  async attach(
    fileIds: readonly string[],
    uploaderId: number,
    target: { conversationId: number } | { memoId: number },
  ): Promise<AttachmentInfo[]> {
    const infos = fileIds.map((id) => {
      const file = this.#files.get(id);
      if (file?.uploaderId !== uploaderId) throw new CooError(ErrorCode.IM_FILE_UNKNOWN, `no file ${id}`);
      return file.info;
    });
    for (const fileId of fileIds) this.attached.push({ fileId, target });
    return infos;
  }
}

export interface MessagingTestDeps {
  deps: MessagingDeps;
  delivery: RecordingDelivery;
  push: RecordingPush;
  online: OnlineSet;
  attachments: MemoryAttachments;
  errors: unknown[];
}

export function messagingDeps(
  services: CoreServices,
  options: { policy?: VisibilityPolicy; now?: () => number } = {},
): MessagingTestDeps {
  const delivery = new RecordingDelivery();
  const push = new RecordingPush();
  const online = new OnlineSet();
  const attachments = new MemoryAttachments();
  const errors: unknown[] = [];
  const deps: MessagingDeps = {
    services,
    delivery,
    policy: options.policy ?? allowAll,
    online,
    push,
    attachments,
    log: { error: (context) => errors.push(context) },
  };
  if (options.now) deps.now = options.now;
  return { deps, delivery, push, online, attachments, errors };
}

/** Creates users `PREFIX-name@example.com` (and the domain when missing); returns actors by name. */
export async function createPeople<N extends string>(
  services: CoreServices,
  prefix: string,
  names: readonly N[],
  unit?: (name: N) => string | null,
): Promise<Record<N, ImActor>> {
  const { directory } = services;
  if (!(await directory.domains.list()).some((d) => d.name === 'example.com')) {
    await directory.domains.add('example.com', CLI_ACTOR);
  }
  const people = {} as Record<N, ImActor>;
  for (const name of names) {
    const address = `${prefix}-${name}@example.com`;
    const user = await directory.users.create(
      address,
      { displayName: name, unit: unit?.(name) ?? null },
      CLI_ACTOR,
    );
    people[name] = {
      userId: user.id,
      address,
      protocol: 'test',
      remote: '192.0.2.7',
      sessionId: `s-${name}`,
    };
  }
  return people;
}

let counter = 0;
/** A prefix no other test in this process uses, so suites can share one database. */
export function uniquePrefix(name: string): string {
  return `${name}${process.pid}x${++counter}`;
}

export function rejectsWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    if ((error as { code?: string }).code !== code) throw error;
    if (pattern && !pattern.test((error as Error).message)) throw error;
    return true;
  };
}
