import type { Message, MessageAttachment } from '../../../../src/protocol/im/conversations.ts';
import type { ChatConnection } from './chat-client.ts';
import { errorCode } from './error-code.ts';
import { newClientId, type Outbox } from './outbox.ts';

/**
 * Sends the outbox, oldest first, one at a time so messages are stored in
 * the order they were written. A send whose fate is unknown (the connection
 * dropped, no answer in time) stays "sending" and is sent again with the
 * same clientId once the connection is back, so the server stores it once.
 * A refusal (visibility rules, a conversation left) marks it failed: the
 * user retries or discards it.
 */

/** Codes after which the same send may simply be tried again. */
const TRANSIENT = new Set([
  'IM_CONNECTION_LOST',
  'IM_CONNECTION_ENDED',
  'IM_TIMEOUT',
  'IM_RATE_LIMITED',
  'INTERNAL',
]);
/** Codes worth another try soon while the connection stays up. */
const RETRY_SOON = new Set(['IM_TIMEOUT', 'IM_RATE_LIMITED', 'INTERNAL']);
const RETRY_DELAY_MS = 3_000;

export class Sender {
  readonly #connection: ChatConnection;
  readonly #outbox: Outbox;
  readonly #sent: (message: Message) => void;
  #running = false;
  #again = false;
  #stopped = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(connection: ChatConnection, outbox: Outbox, sent: (message: Message) => void) {
    this.#connection = connection;
    this.#outbox = outbox;
    this.#sent = sent;
  }

  enqueue(conversationId: number, text: string, attachments: MessageAttachment[]): string {
    const clientId = newClientId();
    this.#outbox.add({ clientId, conversationId, text, attachments });
    this.kick();
    return clientId;
  }

  retry(clientId: string): void {
    this.#outbox.update(clientId, { status: 'sending' });
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
  }

  /** Sends whatever is pending (on a new message, when back online, on retry). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#drain().finally(() => {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  async #drain(): Promise<void> {
    const skipped = new Set<string>();
    for (;;) {
      const next = this.#outbox.pending().find((m) => !skipped.has(m.clientId));
      if (!next || this.#stopped) return;
      try {
        const body: Record<string, unknown> = {
          conversationId: next.conversationId,
          text: next.text,
          clientId: next.clientId,
        };
        if (next.attachments.length > 0) body.attachments = next.attachments.map((a) => a.id);
        const message = await this.#connection.request<Message>('message.send', body);
        this.#outbox.remove(next.clientId);
        this.#sent(message);
      } catch (error) {
        const code = errorCode(error);
        if (TRANSIENT.has(code)) {
          // Left as "sending": the next online (or the timer) sends it again, same clientId.
          if (RETRY_SOON.has(code) && this.#connection.status.get().kind === 'online') {
            clearTimeout(this.#retryTimer);
            this.#retryTimer = setTimeout(() => this.kick(), RETRY_DELAY_MS);
          }
          return;
        }
        this.#outbox.update(next.clientId, { status: 'failed', error: code });
        skipped.add(next.clientId);
      }
    }
  }
}
