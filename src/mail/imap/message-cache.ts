import type { BlobStore } from '../../blob/blob-store.ts';
import { parseMessageStructure, type MessageStructure } from './message/mime-structure.ts';
import { searchableContent, type SearchableContent } from './search/searchable.ts';

/**
 * Messages read from the blob store, parsed, and kept a while: a client
 * that lists a folder asks for ENVELOPE, then BODYSTRUCTURE, then a part of
 * the same few messages, and SEARCH asks again and again for the same text.
 * Bounded by bytes; least recently used goes first. Blobs never change
 * (content-addressed), so nothing here is ever stale.
 */
export interface LoadedMessage {
  raw: Buffer;
  structure: MessageStructure;
}

export class MessageCache {
  readonly #blobs: BlobStore;
  readonly #maxBytes: number;
  readonly #messages = new Map<string, LoadedMessage>();
  readonly #searchable = new Map<string, { content: SearchableContent; size: number }>();
  readonly #maxSearchableBytes: number;
  #bytes = 0;
  #searchableBytes = 0;

  constructor(blobs: BlobStore, maxBytes = 64 * 1024 * 1024, maxSearchableBytes = 128 * 1024 * 1024) {
    this.#blobs = blobs;
    this.#maxBytes = maxBytes;
    this.#maxSearchableBytes = maxSearchableBytes;
  }

  async load(sha256: string): Promise<LoadedMessage> {
    const cached = this.#messages.get(sha256);
    if (cached) {
      this.#messages.delete(sha256);
      this.#messages.set(sha256, cached);
      return cached;
    }
    const raw = await this.#blobs.read(sha256);
    const loaded = { raw, structure: parseMessageStructure(raw) };
    if (raw.length <= this.#maxBytes / 4) {
      this.#messages.set(sha256, loaded);
      this.#bytes += raw.length;
      this.#evict();
    }
    return loaded;
  }

  /** Decoded text of the message for SEARCH, SORT and THREAD. */
  async searchable(sha256: string): Promise<SearchableContent> {
    const cached = this.#searchable.get(sha256);
    if (cached) {
      this.#searchable.delete(sha256);
      this.#searchable.set(sha256, cached);
      return cached.content;
    }
    const content = searchableContent(await this.#blobs.read(sha256));
    const size = textSize(content);
    if (size <= this.#maxSearchableBytes / 4 && !this.#searchable.has(sha256)) {
      this.#searchable.set(sha256, { content, size });
      this.#searchableBytes += size;
      for (const [oldest, entry] of this.#searchable) {
        if (this.#searchableBytes <= this.#maxSearchableBytes) break;
        this.#searchable.delete(oldest);
        this.#searchableBytes -= entry.size;
      }
    }
    return content;
  }

  #evict(): void {
    for (const [sha, message] of this.#messages) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#messages.delete(sha);
      this.#bytes -= message.raw.length;
    }
  }
}

/** Roughly what a message's decoded text holds in memory (UTF-16: two bytes a character). */
function textSize(content: SearchableContent): number {
  let characters = content.bodyText.length + content.subject.length;
  for (const values of content.headers.values()) for (const value of values) characters += value.length;
  return characters * 2 + 512;
}
