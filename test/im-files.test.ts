import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';
import { TusClient } from './support/tus-client.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A remembered login: its resume token is the bearer token of the client REST API. */
async function deviceToken(server: ImTestServer, user: TestUser): Promise<string> {
  const client = await ImTestClient.connect(server);
  const hello = await client.hello(user.address, user.password, {
    remember: true,
    device: { kind: 'web', name: 'tests' },
  });
  await client.close();
  assert.ok(hello.resumeToken);
  return hello.resumeToken;
}

/** The audit entries of an action on a file, newest first, through the admin API. */
async function auditOf(server: ImTestServer, action: string, fileId: string) {
  const query = new URLSearchParams({ action, target: fileId });
  const response = await server.call('GET', `/api/v1/audit?${query.toString()}`);
  assert.equal(response.status, 200, response.text);
  return response.json.entries as {
    actor: string;
    remote: string;
    protocol: string;
    details: Record<string, unknown>;
  }[];
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`files over HTTPS: tus upload, download, access, audit [${database}]`, () => {
    let server: ImTestServer;
    let tus: TusClient;
    let taro: TestUser;
    let hanako: TestUser;
    let taroToken: string;
    let hanakoToken: string;
    let jiro: TestUser;
    let saburo: TestUser;
    const uploadsDir = () => path.join(server.dataDir, 'uploads');

    before(async () => {
      server = await startImServer({ database });
      tus = new TusClient(server);
      taro = await server.createUser('taro', { name: '山田太郎' });
      hanako = await server.createUser('hanako', { name: '佐藤花子' });
      // Everyone is made before the first message: the visibility rules cache the directory for a few seconds.
      jiro = await server.createUser('jiro');
      saburo = await server.createUser('saburo');
      taroToken = await deviceToken(server, taro);
      hanakoToken = await deviceToken(server, hanako);
    });
    after(async () => {
      await tus?.close();
      await server?.stop();
    });

    let bigFile: Buffer;
    let bigId: string;

    it('resumes a multi-MB upload after a dropped connection and records its SHA-256', async () => {
      bigFile = randomBytes(6 * 1024 * 1024 + 123);
      const created = await tus.create(taroToken, bigFile.length, {
        filename: '議事録 2026 "final".bin',
        filetype: 'application/x-custom',
      });
      assert.equal(created.status, 201, created.body.toString());
      const location = String(created.headers.location);
      assert.match(location, /^\/api\/v1\/im\/files\/[0-9a-f]{32}$/);
      bigId = location.split('/').pop() as string;

      // Part one: 2.5 MB of the whole, then the connection drops.
      await tus.patchAndDrop(taroToken, location, 0, bigFile.subarray(0, 2_500_000), bigFile.length);
      const resumed = await tus.head(taroToken, location);
      assert.equal(resumed.status, 200);
      assert.equal(resumed.headers['upload-length'], String(bigFile.length));
      const offset = Number(resumed.headers['upload-offset']);
      assert.ok(offset > 0 && offset <= 2_500_000, `the server kept what arrived: ${offset}`);

      // Part two: the rest, from where the server says it is.
      const rest = await tus.patch(taroToken, location, offset, bigFile.subarray(offset));
      assert.equal(rest.status, 204, rest.body.toString());
      assert.equal(rest.headers['upload-offset'], String(bigFile.length));

      const info = await tus.send('GET', `${location}/info`, { token: taroToken });
      assert.equal(info.status, 200);
      assert.equal(info.json.sha256, sha256(bigFile));
      assert.equal(info.json.size, bigFile.length);
      assert.equal(info.json.name, '議事録 2026 "final".bin');
      assert.equal(info.json.mimeType, 'application/x-custom');
      assert.equal(info.json.hasPreview, false);
      assert.deepEqual(
        readdirSync(uploadsDir()).filter((name) => name.startsWith(bigId)),
        [],
        'the tus temp file is gone',
      );
    });

    it('a HEAD after completion says the upload is complete (the last answer may have been lost)', async () => {
      const head = await tus.head(taroToken, `/api/v1/im/files/${bigId}`);
      assert.equal(head.status, 200);
      assert.equal(head.headers['upload-offset'], String(bigFile.length));
      assert.equal(head.headers['upload-length'], String(bigFile.length));
      const patch = await tus.patch(taroToken, `/api/v1/im/files/${bigId}`, bigFile.length, Buffer.alloc(0));
      assert.equal(patch.status, 409);
      assert.equal(patch.json.error.code, 'UPLOAD_CONFLICT');
    });

    it('the uploader downloads it whole and by range, under its UTF-8 name', async () => {
      const whole = await tus.send('GET', `/api/v1/im/files/${bigId}`, { token: taroToken });
      assert.equal(whole.status, 200);
      assert.equal(whole.headers['content-length'], String(bigFile.length));
      assert.equal(whole.headers['accept-ranges'], 'bytes');
      assert.equal(whole.headers['content-type'], 'application/x-custom');
      assert.equal(
        whole.headers['content-disposition'],
        `attachment; filename="___ 2026 _final_.bin"; filename*=UTF-8''%E8%AD%B0%E4%BA%8B%E9%8C%B2%202026%20%22final%22.bin`,
      );
      assert.ok(whole.body.equals(bigFile));

      const part = await tus.send('GET', `/api/v1/im/files/${bigId}`, {
        token: taroToken,
        headers: { range: 'bytes=1000000-1000999' },
      });
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-range'], `bytes 1000000-1000999/${bigFile.length}`);
      assert.ok(part.body.equals(bigFile.subarray(1_000_000, 1_001_000)));

      const tail = await tus.send('GET', `/api/v1/im/files/${bigId}`, {
        token: taroToken,
        headers: { range: 'bytes=-10' },
      });
      assert.equal(tail.status, 206);
      assert.ok(tail.body.equals(bigFile.subarray(bigFile.length - 10)));

      const outside = await tus.send('GET', `/api/v1/im/files/${bigId}`, {
        token: taroToken,
        headers: { range: `bytes=${bigFile.length}-` },
      });
      assert.equal(outside.status, 416);
      assert.equal(outside.headers['content-range'], `bytes */${bigFile.length}`);

      const stale = await tus.send('GET', `/api/v1/im/files/${bigId}`, {
        token: taroToken,
        headers: { range: 'bytes=0-9', 'if-range': '"another-version"' },
      });
      assert.equal(stale.status, 200, 'If-Range of another version gets the whole file');
    });

    it('someone the file is not shared with is told it does not exist; sent in a chat, its members get it', async () => {
      const refused = await tus.send('GET', `/api/v1/im/files/${bigId}`, { token: hanakoToken });
      assert.equal(refused.status, 404);
      assert.equal(refused.json.error.code, 'IM_FILE_UNKNOWN');
      assert.equal(
        (await tus.send('GET', `/api/v1/im/files/${bigId}/info`, { token: hanakoToken })).status,
        404,
      );

      const [taroClient, hanakoClient] = [
        await ImTestClient.connect(server),
        await ImTestClient.connect(server),
      ];
      try {
        await taroClient.hello(taro.address, taro.password);
        await hanakoClient.hello(hanako.address, hanako.password);
        const conversation = (await taroClient.request('conversation.create', {
          kind: 'direct',
          userIds: [hanako.id],
        })) as { id: number };
        await taroClient.request('message.send', {
          conversationId: conversation.id,
          text: '議事録です',
          attachments: [bigId],
        });
        const event = await hanakoClient.next('message');
        const message = event.message as { attachments: { id: string; size: number; sha256: string }[] };
        assert.deepEqual(
          message.attachments.map((a) => [a.id, a.size, a.sha256]),
          [[bigId, bigFile.length, sha256(bigFile)]],
        );
      } finally {
        await taroClient.close();
        await hanakoClient.close();
      }

      const allowed = await tus.send('GET', `/api/v1/im/files/${bigId}`, {
        token: hanakoToken,
        headers: { range: 'bytes=0-99' },
      });
      assert.equal(allowed.status, 206);
      assert.ok(allowed.body.equals(bigFile.subarray(0, 100)));
    });

    it('a ticket is a one-minute link to one file that needs no Authorization header; nothing else opens with it', async () => {
      const url = `/api/v1/im/files/${bigId}`;
      const outsider = await tus.send('POST', `${url}/ticket`, { token: await deviceToken(server, jiro) });
      assert.equal(outsider.status, 404, 'no ticket for a file one may not read');
      assert.equal((await tus.send('POST', `${url}/ticket`, { token: null })).status, 401);

      const before = await server.services.audit.query({ actor: hanako.address, action: 'file.download' });
      const issued = await tus.send('POST', `${url}/ticket`, { token: hanakoToken });
      assert.equal(issued.status, 200, issued.body.toString());
      const link = issued.json.url as string;
      assert.match(link, new RegExp(`^${url}\\?ticket=[^&]+$`));
      const expiresIn = Date.parse(issued.json.expiresAt as string) - Date.now();
      assert.ok(expiresIn > 50_000 && expiresIn <= 60_000, `expires in ${expiresIn} ms`);

      const whole = await tus.send('GET', link, { token: null });
      assert.equal(whole.status, 200);
      assert.match(String(whole.headers['content-disposition']), /^attachment;/);
      assert.ok(whole.body.equals(bigFile));
      const part = await tus.send('GET', link, { token: null, headers: { range: 'bytes=10-19' } });
      assert.equal(part.status, 206);
      assert.ok(part.body.equals(bigFile.subarray(10, 20)));
      const after = await server.services.audit.query({ actor: hanako.address, action: 'file.download' });
      assert.equal(after.length, before.length + 2, 'each download is audited as the ticket holder');

      const ticket = link.slice(link.indexOf('=') + 1);
      const refused = [
        // Another file with this file's ticket.
        await tus.send('GET', `/api/v1/im/files/${'0'.repeat(32)}?ticket=${ticket}`, { token: null }),
        // A changed ticket.
        await tus.send('GET', `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`, { token: null }),
        // The other routes of the file do not take tickets.
        await tus.send('GET', `${url}/info?ticket=${ticket}`, { token: null }),
        await tus.send('GET', `${url}/preview?ticket=${ticket}`, { token: null }),
      ];
      assert.deepEqual(
        refused.map((response) => [response.status, response.json?.error?.code]),
        Array.from({ length: 4 }, () => [401, 'AUTH_REQUIRED']),
      );
    });

    it('a file sent with a memo is readable by its recipients, and by nobody else', async () => {
      const [jiroToken, saburoToken] = [await deviceToken(server, jiro), await deviceToken(server, saburo)];
      const created = await tus.create(
        taroToken,
        5,
        { filename: 'memo.txt', filetype: 'text/plain' },
        Buffer.from('hello'),
      );
      const location = String(created.headers.location);
      assert.equal((await tus.send('GET', location, { token: jiroToken })).status, 404);
      const client = await ImTestClient.connect(server);
      try {
        await client.hello(taro.address, taro.password);
        await client.request('memo.send', {
          subject: '資料',
          body: 'ご確認ください',
          to: { userIds: [jiro.id] },
          attachments: [location.split('/').pop()],
        });
      } finally {
        await client.close();
      }
      const got = await tus.send('GET', location, { token: jiroToken });
      assert.equal(got.status, 200);
      assert.equal(got.body.toString(), 'hello');
      assert.equal(got.headers['content-type'], 'text/plain');
      assert.equal((await tus.send('GET', location, { token: saburoToken })).status, 404);
    });

    it('attaching needs finished uploads of the uploader; anything else fails as a whole', async () => {
      // A chat of hanako's own, where she tries to show files that are not hers.
      const conversationId = 1;
      const attachments = server.server.messenger.files.files;
      for (const ids of [[bigId], ['0'.repeat(32)], []]) {
        if (ids.length === 0) {
          assert.deepEqual(await attachments.attach(ids, hanako.id, { conversationId }), []);
          continue;
        }
        await assert.rejects(attachments.attach(ids, hanako.id, { conversationId }), {
          code: 'IM_FILE_UNKNOWN',
        });
      }
    });

    it('every upload and download is audited with the file, size, user and address', async () => {
      const [upload] = await auditOf(server, 'file.upload', bigId);
      assert.ok(upload);
      assert.equal(upload.actor, taro.address);
      assert.equal(upload.protocol, 'http');
      assert.equal(upload.remote, '127.0.0.1');
      assert.equal(upload.details.size, bigFile.length);
      assert.equal(upload.details.sha256, sha256(bigFile));

      const downloads = await auditOf(server, 'file.download', bigId);
      assert.ok(
        downloads.some(
          (d) =>
            d.actor === taro.address && d.details.size === bigFile.length && d.details.range === undefined,
        ),
      );
      assert.ok(
        downloads.some(
          (d) => d.actor === taro.address && d.details.range === '1000000-1000999' && d.details.size === 1000,
        ),
      );
      assert.ok(
        downloads.some(
          (d) => d.actor === hanako.address && d.details.size === 100 && d.remote === '127.0.0.1',
        ),
      );
    });

    it('an image gets a 480 px WebP preview; a corrupt one is kept without', async () => {
      const png = await sharp({
        create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 30, b: 30 } },
      })
        .png()
        .toBuffer();
      // creation-with-upload: the whole file in the POST.
      const created = await tus.create(
        taroToken,
        png.length,
        { filename: 'photo.png', filetype: 'image/png' },
        png,
      );
      assert.equal(created.status, 201, created.body.toString());
      const location = String(created.headers.location);
      const info = await tus.send('GET', `${location}/info`, { token: taroToken });
      assert.equal(info.json.mimeType, 'image/png');
      assert.equal(info.json.hasPreview, true);
      const preview = await tus.send('GET', `${location}/preview`, { token: taroToken });
      assert.equal(preview.status, 200);
      assert.equal(preview.headers['content-type'], 'image/webp');
      const meta = await sharp(preview.body).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 480, 320]);

      const corrupt = Buffer.concat([png.subarray(0, 40), randomBytes(2000)]);
      const broken = await tus.create(taroToken, corrupt.length, { filename: 'broken.png' }, corrupt);
      assert.equal(broken.status, 201);
      const brokenInfo = await tus.send('GET', `${String(broken.headers.location)}/info`, {
        token: taroToken,
      });
      assert.equal(brokenInfo.json.mimeType, 'image/png');
      assert.equal(brokenInfo.json.hasPreview, false);
      const noPreview = await tus.send('GET', `${String(broken.headers.location)}/preview`, {
        token: taroToken,
      });
      assert.equal(noPreview.status, 404);
    });

    it('an upload over the size limit is refused with 413 before anything is stored', async () => {
      const before = readdirSync(uploadsDir()).length;
      const refused = await tus.create(taroToken, 2 * 1024 ** 3 + 1, { filename: 'huge.iso' });
      assert.equal(refused.status, 413);
      assert.equal(refused.json.error.code, 'BLOB_TOO_LARGE');
      assert.equal(readdirSync(uploadsDir()).length, before);
      const options = await tus.send('OPTIONS', '/api/v1/im/files', { token: null });
      assert.equal(options.status, 204);
      assert.equal(options.headers['tus-max-size'], String(2 * 1024 ** 3));
      assert.equal(options.headers['tus-version'], '1.0.0');
    });

    it('malformed tus requests get their proper status and an error body', async () => {
      const created = await tus.create(taroToken, 100, { filename: 'a.txt' });
      const location = String(created.headers.location);
      const bytes = Buffer.alloc(10, 1);
      const cases: [
        string,
        () => Promise<{ status: number; json: { error: { code: string } } }>,
        number,
        string,
      ][] = [
        [
          'no token',
          () =>
            tus.send('POST', '/api/v1/im/files', {
              token: null,
              headers: { 'tus-resumable': '1.0.0', 'upload-length': '5' },
            }),
          401,
          'AUTH_REQUIRED',
        ],
        ['a bad token', () => tus.patch('coo_nope', location, 0, bytes), 401, 'AUTH_REQUIRED'],
        [
          'no Tus-Resumable',
          () => tus.send('POST', '/api/v1/im/files', { token: taroToken, headers: { 'upload-length': '5' } }),
          412,
          'INVALID_INPUT',
        ],
        [
          'another tus version',
          () => tus.send('DELETE', location, { token: taroToken, headers: { 'tus-resumable': '0.2.2' } }),
          412,
          'INVALID_INPUT',
        ],
        [
          'no Upload-Length',
          () =>
            tus.send('POST', '/api/v1/im/files', { token: taroToken, headers: { 'tus-resumable': '1.0.0' } }),
          400,
          'INVALID_INPUT',
        ],
        [
          'a negative Upload-Length',
          () =>
            tus.send('POST', '/api/v1/im/files', {
              token: taroToken,
              headers: { 'tus-resumable': '1.0.0', 'upload-length': '-5' },
            }),
          400,
          'INVALID_INPUT',
        ],
        [
          'malformed metadata',
          () =>
            tus.send('POST', '/api/v1/im/files', {
              token: taroToken,
              headers: {
                'tus-resumable': '1.0.0',
                'upload-length': '5',
                'upload-metadata': 'filename not-base64!!,,',
              },
            }),
          400,
          'INVALID_INPUT',
        ],
        [
          'a PATCH without Upload-Offset',
          () =>
            tus.send('PATCH', location, {
              token: taroToken,
              headers: { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream' },
              body: bytes,
            }),
          400,
          'INVALID_INPUT',
        ],
        [
          'a PATCH with a bad Upload-Offset',
          () =>
            tus.send('PATCH', location, {
              token: taroToken,
              headers: {
                'tus-resumable': '1.0.0',
                'upload-offset': 'ten',
                'content-type': 'application/offset+octet-stream',
              },
              body: bytes,
            }),
          400,
          'INVALID_INPUT',
        ],
        [
          'a PATCH of another type',
          () =>
            tus.send('PATCH', location, {
              token: taroToken,
              headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/json' },
              body: bytes,
            }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        ],
        [
          'a PATCH at the wrong offset',
          () => tus.patch(taroToken, location, 50, bytes),
          409,
          'UPLOAD_CONFLICT',
        ],
        [
          'a PATCH past the announced length',
          () => tus.patch(taroToken, location, 0, Buffer.alloc(101)),
          413,
          'BLOB_TOO_LARGE',
        ],
        [
          "a PATCH to someone else's upload",
          () => tus.patch(hanakoToken, location, 0, bytes),
          404,
          'IM_FILE_UNKNOWN',
        ],
        [
          'a HEAD of an unknown upload',
          () => tus.head(taroToken, '/api/v1/im/files/ffffffffffffffffffffffffffffffff'),
          404,
          '',
        ],
        [
          'a HEAD of a malformed id',
          () => tus.head(taroToken, '/api/v1/im/files/..%2F..%2Fcoo.toml'),
          404,
          '',
        ],
        [
          'a GET of a malformed id',
          () => tus.send('GET', '/api/v1/im/files/not-an-id', { token: taroToken }),
          400,
          'INVALID_INPUT',
        ],
      ];
      for (const [what, answer, status, code] of cases) {
        const response = await answer();
        assert.equal(response.status, status, `${what}: ${JSON.stringify(response.json)}`);
        // A HEAD answer has no body (RFC 9110 §9.3.2): its status is all it says.
        if (code !== '') assert.equal(response.json?.error.code, code, what);
      }
      // Nothing of that broke the upload: it still takes its bytes at offset 0.
      const good = await tus.patch(taroToken, location, 0, Buffer.alloc(100, 7));
      assert.equal(good.status, 204);
      assert.ok(existsSync(path.join(server.dataDir, 'uploads')));
    });

    it('a request refused before its body is read closes the connection instead of reading gigabytes', async () => {
      const announced = [
        'Tus-Resumable: 1.0.0',
        `Content-Length: ${1024 ** 3}`,
        'Content-Type: application/offset+octet-stream',
      ];
      const unauthenticated = await tus.refusedMidBody(
        ['POST /api/v1/im/files HTTP/1.1', 'Upload-Length: 1073741824', ...announced],
        Buffer.alloc(64 * 1024),
      );
      assert.match(unauthenticated, /^HTTP\/1.1 401 /);
      assert.match(unauthenticated, /\r\nconnection: close\r\n/i);
      const tooLarge = await tus.refusedMidBody(
        [
          'POST /api/v1/im/files HTTP/1.1',
          `Authorization: Bearer ${taroToken}`,
          `Upload-Length: ${4 * 1024 ** 3}`,
          ...announced,
        ],
        Buffer.alloc(64 * 1024),
      );
      assert.match(tooLarge, /^HTTP\/1.1 413 /);
      assert.match(tooLarge, /"code":"BLOB_TOO_LARGE"/);
    });

    it('when keeping a complete upload fails, the client is told so, and its next HEAD keeps it', async () => {
      const blobTemp = path.join(server.dataDir, 'blobs', 'tmp');
      const bytes = randomBytes(50_000);
      const created = await tus.create(taroToken, bytes.length, { filename: 'retry.bin' });
      const location = String(created.headers.location);
      // The blob store cannot write (its temp folder is now a file): keeping fails.
      rmSync(blobTemp, { recursive: true, force: true });
      writeFileSync(blobTemp, 'not a folder');
      let failed;
      try {
        failed = await tus.patch(taroToken, location, 0, bytes);
      } finally {
        rmSync(blobTemp, { force: true });
        mkdirSync(blobTemp);
      }
      assert.equal(failed.status, 500);
      assert.equal(failed.json.error.code, 'INTERNAL');
      assert.ok(
        server.logLines().some((line) => line.msg === 'upload failed'),
        'the cause is logged',
      );

      // A tus client retrying first asks where the upload is: all there, so the server keeps it now.
      const head = await tus.head(taroToken, location);
      assert.equal(head.status, 200);
      assert.equal(head.headers['upload-offset'], String(bytes.length));
      const info = await tus.send('GET', `${location}/info`, { token: taroToken });
      assert.equal(info.status, 200);
      assert.equal(info.json.sha256, sha256(bytes));
    });

    it('the uploader may cancel an unfinished upload (tus termination); it is then gone', async () => {
      const created = await tus.create(taroToken, 1000, { filename: 'cancel.bin' });
      const location = String(created.headers.location);
      const id = location.split('/').pop() as string;
      assert.equal(
        (await tus.send('DELETE', location, { token: hanakoToken, headers: { 'tus-resumable': '1.0.0' } }))
          .status,
        404,
      );
      const deleted = await tus.send('DELETE', location, {
        token: taroToken,
        headers: { 'tus-resumable': '1.0.0' },
      });
      assert.equal(deleted.status, 204);
      assert.equal((await tus.head(taroToken, location)).status, 404);
      assert.deepEqual(
        readdirSync(uploadsDir()).filter((name) => name.startsWith(id)),
        [],
      );
    });

    it('an unfinished upload nobody writes to for a day is swept away; a fresh one stays', async () => {
      const created = await tus.create(taroToken, 1000, { filename: 'abandoned.bin' });
      const location = String(created.headers.location);
      assert.equal((await tus.patch(taroToken, location, 0, Buffer.alloc(10))).status, 204);
      const uploads = server.server.messenger.files.uploads;
      assert.equal(await uploads.sweepStale(Date.now() + 60_000), 0);
      assert.equal((await tus.head(taroToken, location)).status, 200);
      assert.ok((await uploads.sweepStale(Date.now() + 25 * 60 * 60 * 1000)) >= 1);
      assert.equal((await tus.head(taroToken, location)).status, 404);
    });
  });
}
