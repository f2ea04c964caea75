/**
 * Reads a stream of newline-delimited JSON (one value per line), as the
 * server sends a long task's progress. A line may arrive split across
 * chunks, and a multi-byte character across two reads: the decoder and the
 * buffer carry both over.
 */
export async function* ndjsonValues(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      buffered = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line.trim() !== '') yield JSON.parse(line) as unknown;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
