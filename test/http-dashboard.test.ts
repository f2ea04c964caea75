import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { installAdminApi } from '../src/http/admin-api.ts';
import { installErrorHandling } from '../src/http/error-handler.ts';
import { acceptJsonBodiesOnly } from '../src/http/json-body.ts';
import { countSentSince } from '../src/store/dashboard-counts.ts';
import {
  ADMIN,
  DOMAIN,
  ImTestClient,
  startImServer,
  type ImTestServer,
  type TestUser,
} from './support/im-server.ts';

/** The console's routes: GET /dashboard, POST /users/import (CSV, dry run, streamed progress), GET /users/export. */
for (const database of ['sqlite', 'postgres'] as const) {
  describe(`REST API: dashboard and user CSV [${database}]`, () => {
    let server: ImTestServer;
    const clients: ImTestClient[] = [];

    let taro: TestUser;
    let hanako: TestUser;

    before(async () => {
      server = await startImServer({ database });
      taro = await server.createUser('dash-taro');
      hanako = await server.createUser('dash-hanako');
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.close()));
      await server?.stop();
    });

    async function login(address: string, password: string): Promise<ImTestClient> {
      const client = await ImTestClient.connect(server);
      clients.push(client);
      await client.hello(address, password);
      return client;
    }

    /** Sends count chat messages between two people made before the first test (the policy knows them). */
    async function chat(count: number): Promise<{ sentAt: number }[]> {
      const client = await login(taro.address, taro.password);
      const direct = (await client.request('conversation.create', {
        kind: 'direct',
        userIds: [hanako.id],
      })) as {
        id: number;
      };
      const sent: { sentAt: number }[] = [];
      for (let i = 0; i < count; i++) {
        sent.push(
          (await client.request('message.send', { conversationId: direct.id, text: `m${i}` })) as {
            sentAt: number;
          },
        );
        // Distinct send times, so the count can be cut between two messages.
        const until = Date.now() + 3;
        while (Date.now() < until) await new Promise((resolve) => setImmediate(resolve));
      }
      await client.close();
      return sent;
    }

    test('GET /dashboard counts the messages of today, the directory, storage and the certificate', async () => {
      const before = await server.call('GET', '/api/v1/dashboard');
      assert.equal(before.status, 200, before.text);
      await chat(2);
      const response = await server.call('GET', '/api/v1/dashboard');
      assert.equal(response.status, 200, response.text);
      const dashboard = response.json;
      assert.equal(dashboard.today.messages, before.json.today.messages + 2);
      assert.ok(Date.parse(dashboard.today.since) <= Date.now());
      const users = await server.call('GET', '/api/v1/users?limit=1000');
      assert.equal(dashboard.directory.users, users.json.users.length);
      assert.ok(dashboard.directory.admins >= 1);
      assert.ok(dashboard.storage.databaseBytes > 0);
      assert.ok(dashboard.storage.diskTotalBytes > 0);
      assert.equal(typeof dashboard.storage.blobBytes, 'number');
      assert.match(dashboard.certificate.subject, /CN=/);
      assert.equal(dashboard.certificate.selfSigned, true);
      assert.ok(Date.parse(dashboard.certificate.validTo) > Date.now());
      assert.equal(dashboard.server.database, database);
    });

    test('the count of the day finds the first message sent since then', async () => {
      const sent = await chat(3);
      const db = server.services.store.db;
      const [first, second, third] = sent.map((message) => message.sentAt);
      assert.ok(first !== undefined && second !== undefined && third !== undefined);
      assert.equal(await countSentSince(db, 'messages', third + 1), 0);
      assert.equal(await countSentSince(db, 'messages', third), 1);
      assert.equal(await countSentSince(db, 'messages', second), 2);
      assert.equal(await countSentSince(db, 'messages', first), 3);
      assert.equal(await countSentSince(db, 'memos', 0), 0);
    });

    test("with the messenger's connections, the dashboard lists who is online, and listeners", async () => {
      const user = await server.createUser('dash-online', { name: 'Online Person' });
      await login(user.address, user.password);
      const app = Fastify().withTypeProvider<ZodTypeProvider>();
      app.setValidatorCompiler(validatorCompiler);
      app.setSerializerCompiler(serializerCompiler);
      installErrorHandling(app);
      acceptJsonBodiesOnly(app);
      installAdminApi(app, server.services, {
        dashboard: {
          connections: server.server.messenger.registry,
          listeners: () => server.server.listeners,
        },
      });
      await app.ready();
      try {
        const response = await app.inject({
          method: 'GET',
          url: '/api/v1/dashboard',
          headers: { authorization: `Bearer ${server.token}` },
        });
        assert.equal(response.statusCode, 200, response.body);
        const dashboard = response.json();
        const person = dashboard.online.people.find((p: { address: string }) => p.address === user.address);
        assert.deepEqual(person, { address: user.address, displayName: 'Online Person', connections: 1 });
        assert.ok(dashboard.online.users >= 1);
        const http = dashboard.listeners.find((l: { name: string }) => l.name === 'http');
        assert.equal(http.running, true);
        assert.match(http.address, /127\.0\.0\.1:\d+/);
        const smtp = dashboard.listeners.find((l: { name: string }) => l.name === 'smtp');
        assert.equal(smtp?.running ?? false, false);
      } finally {
        await app.close();
      }
    });

    test("a non-admin's device token is refused on the dashboard", async () => {
      const user = await server.createUser('dash-plain');
      const client = await ImTestClient.connect(server);
      clients.push(client);
      const hello = (await client.hello(user.address, user.password, { remember: true })) as {
        resumeToken: string;
      };
      const response = await server.call('GET', '/api/v1/dashboard', { token: hello.resumeToken });
      assert.equal(response.status, 403);
      assert.equal(response.json.error.code, 'AUTH_FORBIDDEN');
    });

    const header = 'address,name,unit,password';
    const csvImport = (csv: string | Buffer, query: string, headers: Record<string, string> = {}) =>
      server.call('POST', `/api/v1/users/import?${query}`, {
        rawBody: csv,
        contentType: 'text/csv',
        headers,
      });

    test('a dry run lists every bad line by number and writes nothing', async () => {
      const csv = [
        header,
        `csv-good@${DOMAIN},Good One,CSV/Team,a fine long password`,
        `not an address,Bad One,,`,
        `csv-short@${DOMAIN},Short`,
      ].join('\n');
      const response = await csvImport(csv, 'dryRun=true');
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.dryRun, true);
      assert.deepEqual(
        response.json.errors.map((e: { line: number }) => e.line),
        [3, 4],
      );
      assert.match(response.json.errors[0].message, /^address: /);
      assert.equal((await server.call('GET', `/api/v1/users/csv-good@${DOMAIN}`)).status, 404);
    });

    test('the real import of a file with errors is 400 with a detail per line, and writes nothing', async () => {
      const csv = `${header}\ncsv-ok@${DOMAIN},OK,,\ncsv-bad@nowhere.invalid,Bad,,\n`;
      const response = await csvImport(csv, 'dryRun=false');
      assert.equal(response.status, 400);
      assert.equal(response.json.error.code, 'INVALID_INPUT');
      assert.deepEqual(response.json.error.details, [
        { line: 3, message: 'address: unknown domain "nowhere.invalid"' },
      ]);
      assert.equal((await server.call('GET', `/api/v1/users/csv-ok@${DOMAIN}`)).status, 404);
    });

    test('the import creates users and units, audited, and streams its progress as NDJSON', async () => {
      const lines = Array.from({ length: 150 }, (_, i) => `csv-bulk-${i}@${DOMAIN},Bulk ${i},CSV/Bulk,`);
      const response = await csvImport(`${header}\n${lines.join('\n')}\n`, '', {
        accept: 'application/x-ndjson',
      });
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /application\/x-ndjson/);
      const events = response.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const last = events.at(-1);
      assert.equal(last.report.created, 150);
      assert.deepEqual(last.report.unitsCreated, ['CSV', 'CSV/Bulk']);
      const progress = events.filter((event) => event.progress).map((event) => event.progress);
      assert.ok(progress.length >= 2, JSON.stringify(events.slice(0, 3)));
      assert.deepEqual(progress.at(-1), { done: 150, total: 150 });
      const user = await server.call('GET', `/api/v1/users/csv-bulk-7@${DOMAIN}`);
      assert.equal(user.json.unit, 'CSV/Bulk');
      const audit = await server.call('GET', '/api/v1/audit?action=user.import&limit=1');
      assert.equal(audit.json.entries[0].actor, ADMIN);
      assert.equal(audit.json.entries[0].details.created, 150);
    });

    test('a streamed import with errors ends with an error line naming each line', async () => {
      const response = await csvImport(`${header}\nbroken\n`, 'dryRun=false', {
        accept: 'application/x-ndjson',
      });
      assert.equal(response.status, 200);
      const last = JSON.parse(response.text.trim().split('\n').at(-1) ?? '{}');
      assert.equal(last.error.code, 'INVALID_INPUT');
      assert.equal(last.error.details[0].line, 2);
    });

    test('a Shift_JIS file is read as such, and a body that is not CSV is 415', async () => {
      const sjis = Buffer.from([
        ...Buffer.from(`address,name\ncsv-sjis@${DOMAIN},`),
        ...[0x8e, 0x52, 0x93, 0x63], // 山田
      ]);
      const response = await csvImport(sjis, 'dryRun=false');
      assert.equal(response.status, 200, response.text);
      assert.equal((await server.call('GET', `/api/v1/users/csv-sjis@${DOMAIN}`)).json.displayName, '山田');
      const wrong = await server.call('POST', '/api/v1/users/import', {
        rawBody: 'x',
        contentType: 'text/plain',
      });
      assert.equal(wrong.status, 415);
      const anonymous = await server.call('POST', '/api/v1/users/import', {
        rawBody: 'address,name\n',
        contentType: 'text/csv',
        token: null,
      });
      assert.equal(anonymous.status, 401);
    });

    test('GET /users/export is the CSV the import reads, as a download, and is audited', async () => {
      const response = await server.call('GET', '/api/v1/users/export');
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.match(String(response.headers['content-disposition']), /attachment; filename="users.csv"/);
      const text = response.text.replace(/^\uFEFF/, '');
      assert.ok(text.startsWith('address,name,reading,unit,title,phone,quota,valid_until,password\r\n'));
      assert.match(text, new RegExp(`csv-bulk-7@${DOMAIN},Bulk 7,,CSV/Bulk,`));
      const audit = await server.call('GET', '/api/v1/audit?action=user.export&limit=1');
      assert.equal(audit.json.entries[0].actor, ADMIN);
      const again = await csvImport(Buffer.from(response.text), 'dryRun=true');
      assert.equal(again.json.errors.length, 0);
      assert.equal(again.json.created + again.json.updated, 0);
    });
  });
}
