import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImRequestError } from './support/im-server.ts';
import { ImTestClient, startImServer, type ImTestServer } from './support/im-server.ts';

/** The WebSocket envelope and its abuse guards, with a real `ws` client over TLS. */
describe('messenger gateway: frames and abuse guards', () => {
  let server: ImTestServer;
  let login: { address: string; password: string };
  before(async () => {
    server = await startImServer({ messenger: { gateway: { helloTimeoutMs: 400 } } });
    login = await server.createUser('frames', { name: 'Frames Test' });
  });
  after(async () => {
    await server.stop();
  });

  async function loggedIn(): Promise<ImTestClient> {
    const client = await ImTestClient.connect(server);
    await client.hello(login.address, login.password);
    return client;
  }

  test('a first frame other than hello is refused with IM_NOT_AUTHENTICATED and the connection closed (1008)', async () => {
    const client = await ImTestClient.connect(server);
    await assert.rejects(client.request('session.devices'), (error: ImRequestError) => {
      assert.equal(error.code, 'IM_NOT_AUTHENTICATED');
      assert.match(error.message, /first frame must be "hello"/);
      return true;
    });
    assert.equal((await client.closed).code, 1008);
  });

  test('no hello in time: IM_NOT_AUTHENTICATED and close 1008', async () => {
    const client = await ImTestClient.connect(server);
    const error = await client.next('error', undefined, 2000);
    assert.equal(error.code, 'IM_NOT_AUTHENTICATED');
    assert.equal((await client.closed).code, 1008);
  });

  test('invalid JSON before hello is IM_BAD_FRAME and the hello still works', async () => {
    const client = await ImTestClient.connect(server);
    client.sendRaw('{"t":"hello",');
    const error = await client.next('error');
    assert.equal(error.code, 'IM_BAD_FRAME');
    assert.match(String(error.message), /not JSON/);
    assert.equal(error.re, undefined);
    const hello = await client.hello(login.address, login.password);
    assert.equal(hello.user.address, login.address);
    await client.close();
  });

  test('invalid JSON, a non-object, an unknown type and a schema failure each get IM_BAD_FRAME; the connection lives', async () => {
    const client = await loggedIn();
    client.sendRaw('not json at all');
    const notJson = await client.next('error');
    assert.equal(notJson.code, 'IM_BAD_FRAME');
    assert.match(String(notJson.message), /not JSON/);

    client.sendRaw('[1,2,3]');
    assert.match(String((await client.next('error')).message), /JSON object/);

    await assert.rejects(client.request('no.such.frame'), (error: ImRequestError) => {
      assert.equal(error.code, 'IM_BAD_FRAME');
      assert.match(error.message, /unknown frame type "no\.such\.frame"/);
      return true;
    });
    await assert.rejects(client.request('session.revoke', { deviceId: 'seven' }), (error: ImRequestError) => {
      assert.equal(error.code, 'IM_BAD_FRAME');
      assert.match(error.message, /deviceId/);
      return true;
    });
    client.sendRaw(Buffer.from([1, 2, 3]));
    assert.match(String((await client.next('error')).message), /binary/);

    const devices = (await client.request('session.devices')) as { devices: unknown[] };
    assert.equal(devices.devices.length >= 1, true, 'still answering after five bad frames');
    assert.equal(client.isOpen, true);
    await client.close();
  });

  test('a second hello is refused; the session stays', async () => {
    const client = await loggedIn();
    await assert.rejects(client.hello(login.address, login.password), (error: ImRequestError) => {
      assert.equal(error.code, 'IM_BAD_FRAME');
      assert.match(error.message, /already logged in/);
      return true;
    });
    await client.request('session.devices');
    await client.close();
  });

  test('a malformed hello names the field and lets the client try again', async () => {
    const client = await ImTestClient.connect(server);
    await assert.rejects(
      client.request('hello', { auth: { kind: 'password', login: login.address, password: login.password } }),
      (error: ImRequestError) => {
        assert.equal(error.code, 'IM_BAD_FRAME');
        assert.match(error.message, /device/);
        return true;
      },
    );
    await assert.rejects(client.request('hello', { auth: { kind: 'magic' } }), (error: ImRequestError) => {
      assert.equal(error.code, 'IM_BAD_FRAME');
      assert.match(error.message, /auth/);
      return true;
    });
    await client.hello(login.address, login.password, { device: { kind: 'web', name: 'Browser' } });
    await client.close();
  });

  test('{t:"ping"} is answered {t:"pong"}', async () => {
    const client = await loggedIn();
    client.send({ t: 'ping' });
    assert.deepEqual(await client.next('pong'), { t: 'pong' });
    await client.close();
  });

  test('a frame over 64 KiB closes the connection with 1009', async () => {
    const client = await loggedIn();
    client.sendRaw(JSON.stringify({ t: 'ping', pad: 'x'.repeat(64 * 1024) }));
    assert.equal((await client.closed).code, 1009);
  });

  test('a frame just under the limit is handled', async () => {
    const client = await loggedIn();
    const frame = JSON.stringify({ t: 'ping', pad: '' });
    client.sendRaw(JSON.stringify({ t: 'ping', pad: 'x'.repeat(64 * 1024 - frame.length) }));
    await client.next('pong');
    await client.close();
  });

  test('flooding is answered IM_RATE_LIMITED, and a client that keeps on is closed with 1008', async () => {
    const client = await loggedIn();
    for (let i = 0; i < 400; i++) client.send({ t: 'ping', id: 1000 + i });
    const limited = await client.next('error', (frame) => frame.code === 'IM_RATE_LIMITED');
    assert.equal(typeof limited.re, 'number', 'the rate-limit error answers the request it refused');
    assert.equal((await client.closed).code, 1008);
    // The burst (60) passes; then each refused frame drains the flood tolerance (60), then the close.
    const refused = client.frames.filter((frame) => frame.code === 'IM_RATE_LIMITED').length;
    assert.ok(refused >= 50 && refused <= 70, `about 60 frames refused before the close, got ${refused}`);
  });

  test('a client a little over the rate is throttled but not closed', async () => {
    const client = await loggedIn();
    for (let i = 0; i < 70; i++) client.send({ t: 'ping' });
    await client.next('error', (frame) => frame.code === 'IM_RATE_LIMITED');
    await new Promise((resolve) => setTimeout(resolve, 600));
    client.send({ t: 'ping', id: 1 });
    await client.next('pong', (frame) => client.frames.indexOf(frame) > 70);
    assert.equal(client.isOpen, true);
    await client.close();
  });

  test('an upgrade to another path is refused with 404', async () => {
    await assert.rejects(
      ImTestClient.connect({ wsUrl: server.wsUrl.replace(/\/ws$/, '/other'), ca: server.ca }),
      /HTTP 404/,
    );
  });
});
