import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Uploads } from './uploads.ts';

/** Just enough of the tus server: POST answers a location, PATCH takes everything. */
function fakeFetch(log: string[]): typeof fetch {
  return async (_input, init = {}) => {
    log.push(init.method ?? 'GET');
    if (init.method === 'POST')
      return new Response(null, { status: 201, headers: { location: '/api/v1/im/files/abc' } });
    if (init.method === 'PATCH') {
      const size = (init.body as Blob).size;
      return new Response(null, { status: 204, headers: { 'upload-offset': String(size) } });
    }
    return new Response(null, { status: 204 });
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('upload tray', () => {
  test('a finished upload is ready for the next message of its conversation, then leaves the tray', async () => {
    const log: string[] = [];
    const uploads = new Uploads({ token: () => 't', fetch: fakeFetch(log) });
    uploads.add(7, new File(['hello'], 'a.txt', { type: 'text/plain' }));
    assert.equal(uploads.busy(7), true);
    await settle();
    assert.equal(uploads.busy(7), false);
    assert.deepEqual(uploads.ready(8), []);
    assert.deepEqual(
      uploads.takeReady(7).map((a) => [a.id, a.name, a.size, a.mimeType]),
      [['abc', 'a.txt', 5, 'text/plain']],
    );
    assert.deepEqual(uploads.items.get(), []);
    assert.deepEqual(log, ['POST', 'PATCH']);
  });

  test('removing an upload under way cancels it on the server', async () => {
    const log: string[] = [];
    const uploads = new Uploads({ token: () => 't', fetch: fakeFetch(log) });
    const item = uploads.add(7, new File(['x'.repeat(10)], 'b.bin'));
    uploads.remove(item.localId);
    await settle();
    assert.deepEqual(uploads.items.get(), []);
    assert.ok(log.includes('DELETE') || !log.includes('PATCH'), log.join(','));
  });
});
