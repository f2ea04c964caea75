import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { openStore } from '../store/database.ts';
import { createSqliteDatabase } from '../../test/support/stores.ts';
import { installHealthCheck } from './health.ts';

test('/healthz is 200 while the database answers and 503 once it does not', async () => {
  const database = createSqliteDatabase();
  const store = await openStore(database.target);
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installHealthCheck(app, store);
  try {
    const up = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(up.statusCode, 200);
    assert.deepEqual(up.json(), { status: 'ok' });

    await store.close();
    const down = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), { status: 'unavailable', problem: 'database' });
  } finally {
    await app.close();
    await database.drop();
  }
});
