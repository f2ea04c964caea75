import type { Message } from '../../../../src/protocol/im/conversations.ts';

const CONCURRENCY = 4;

/**
 * The list's "last message" lines, fetched for the rows on screen only, a
 * few at a time, each once.
 */
export class PreviewQueue {
  readonly #fetch: (conversationId: number) => Promise<Message | null>;
  readonly #found: (conversationId: number, message: Message | null) => void;
  readonly #queue: number[] = [];
  readonly #wanted = new Set<number>();
  #running = 0;

  constructor(
    fetch: (conversationId: number) => Promise<Message | null>,
    found: (conversationId: number, message: Message | null) => void,
  ) {
    this.#fetch = fetch;
    this.#found = found;
  }

  want(conversationId: number): void {
    if (this.#wanted.has(conversationId)) return;
    this.#wanted.add(conversationId);
    this.#queue.push(conversationId);
    this.#run();
  }

  #run(): void {
    while (this.#running < CONCURRENCY && this.#queue.length > 0) {
      const id = this.#queue.shift();
      if (id === undefined) break;
      this.#running++;
      void this.#fetch(id)
        .then((message) => this.#found(id, message))
        .catch(() => undefined)
        .finally(() => {
          this.#running--;
          this.#wanted.delete(id);
          this.#run();
        });
    }
  }
}
