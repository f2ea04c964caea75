import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { installErrorHandling } from './error-handler.ts';
import { HTTP_STATUS_OF_ERROR } from './error-status.ts';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger: FastifyBaseLogger = pino(sink);
  const app = Fastify({ loggerInstance: logger });
  installErrorHandling(app);
  return { app, lines };
}

describe('HTTP error handler', () => {
  test('the status table maps the codes the API promises', () => {
    const expected: [ErrorCode, number][] = [
      [ErrorCode.INVALID_INPUT, 400],
      [ErrorCode.INVALID_ADDRESS, 400],
      [ErrorCode.PASSWORD_TOO_WEAK, 400],
      [ErrorCode.AUTH_REQUIRED, 401],
      [ErrorCode.AUTH_FORBIDDEN, 403],
      [ErrorCode.NOT_FOUND, 404],
      [ErrorCode.USER_UNKNOWN, 404],
      [ErrorCode.UNIT_UNKNOWN, 404],
      [ErrorCode.GROUP_UNKNOWN, 404],
      [ErrorCode.DOMAIN_UNKNOWN, 404],
      [ErrorCode.TOKEN_UNKNOWN, 404],
      [ErrorCode.USER_EXISTS, 409],
      [ErrorCode.UNIT_EXISTS, 409],
      [ErrorCode.GROUP_EXISTS, 409],
      [ErrorCode.DOMAIN_EXISTS, 409],
      [ErrorCode.UNIT_NOT_EMPTY, 409],
      [ErrorCode.LAST_ADMIN, 409],
      [ErrorCode.UNIT_CYCLE, 409],
      [ErrorCode.AUTH_THROTTLED, 429],
      [ErrorCode.REQUEST_TOO_LARGE, 413],
      [ErrorCode.INTERNAL, 500],
    ];
    for (const [code, status] of expected) assert.equal(HTTP_STATUS_OF_ERROR[code], status, code);
  });

  test('every CooError is answered with its table status, its code, message and details', async () => {
    const { app } = appWithLog();
    app.get('/throw/:code', async (request) => {
      const { code } = request.params as { code: ErrorCode };
      throw new CooError(code, `message for ${code}`, [{ field: 'f', message: 'why' }]);
    });
    for (const code of Object.values(ErrorCode)) {
      const response = await app.inject({ method: 'GET', url: `/throw/${code}` });
      assert.equal(response.statusCode, HTTP_STATUS_OF_ERROR[code], code);
      assert.deepEqual(response.json(), {
        error: { code, message: `message for ${code}`, details: [{ field: 'f', message: 'why' }] },
      });
    }
    await app.close();
  });

  test('AUTH_THROTTLED is 429', async () => {
    const { app } = appWithLog();
    app.get('/', async () => {
      throw new CooError(ErrorCode.AUTH_THROTTLED, 'too many failed logins; try again in 15 minutes');
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 429);
    assert.deepEqual(response.json(), {
      error: { code: 'AUTH_THROTTLED', message: 'too many failed logins; try again in 15 minutes' },
    });
    await app.close();
  });

  test('a 401 carries a Bearer challenge', async () => {
    const { app } = appWithLog();
    app.get('/', async () => {
      throw new CooError(ErrorCode.AUTH_REQUIRED, 'token needed');
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="coo"');
    await app.close();
  });

  test('an unexpected error is 500 INTERNAL without internals, logged with the request id', async () => {
    const { app, lines } = appWithLog();
    app.get('/', async () => {
      throw new Error('connection string postgres://secret@db');
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 500);
    const body = response.json();
    assert.equal(body.error.code, 'INTERNAL');
    assert.doesNotMatch(response.body, /secret|postgres|stack/);
    const logged = lines.find((line) =>
      (line.err as { message?: string } | undefined)?.message?.includes('secret'),
    );
    assert.ok(logged, 'the error is in the log');
    assert.equal(logged.level, 50);
    assert.ok(typeof logged.reqId === 'string');
    assert.match(body.error.message, new RegExp(`request id ${String(logged.reqId)}`));
    await app.close();
  });

  test('a handler that takes too long is 503 UNAVAILABLE', async () => {
    const { app } = appWithLog();
    app.get('/slow', { handlerTimeout: 20 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 'late';
    });
    const response = await app.inject({ method: 'GET', url: '/slow' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().error.code, 'UNAVAILABLE');
    await app.close();
  });

  test('an unknown route is 404 NOT_FOUND', async () => {
    const { app } = appWithLog();
    const response = await app.inject({ method: 'DELETE', url: '/nothing' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), {
      error: { code: 'NOT_FOUND', message: 'no such resource: DELETE /nothing' },
    });
    await app.close();
  });
});
