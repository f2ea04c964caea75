/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ndjsonValues } from './ndjson.ts';

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of ndjsonValues(stream)) values.push(value);
  return values;
}

test('NDJSON lines are read whole, whatever byte the chunks split at', async () => {
  const lines = [
    { progress: { done: 100, total: 200 } },
    { report: { created: 2, unitsCreated: ['営業部'] } },
  ];
  const bytes = new TextEncoder().encode(lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  for (let at = 0; at <= bytes.length; at++) {
    const values = await collect(streamOf([bytes.slice(0, at), bytes.slice(at)]));
    assert.deepEqual(values, lines, `split at byte ${at}`);
  }
});

test('a last line without a newline still counts, and blank lines are skipped', async () => {
  const bytes = new TextEncoder().encode('{"a":1}\n\n{"b":2}');
  assert.deepEqual(await collect(streamOf([bytes])), [{ a: 1 }, { b: 2 }]);
});
