import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installWebClient } from './web-client.ts';

describe('web client files', () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coo-web-'));
    mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
    writeFileSync(path.join(dir, 'dist/index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dir, 'dist/assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'dist/sw.js'), 'self.addEventListener("fetch", () => {})');
    writeFileSync(path.join(dir, 'dist/.built'), '');
    built = Fastify();
    await installWebClient(built, path.join(dir, 'dist'));
    missing = Fastify();
    await installWebClient(missing, path.join(dir, 'nothing-here'));
  });
  after(async () => {
    await built.close();
    await missing.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('index.html is never cached and carries the Content Security Policy', async () => {
    const response = await built.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /id="root"/);
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
  });

  test('hashed assets are cached for a year; the service worker is not cached and may control /', async () => {
    const asset = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    const worker = await built.inject({ method: 'GET', url: '/sw.js' });
    assert.equal(worker.statusCode, 200);
    assert.equal(worker.headers['cache-control'], 'no-cache');
    assert.equal(worker.headers['service-worker-allowed'], '/');
  });

  test('unknown paths are 404 and dotfiles are not served', async () => {
    assert.equal((await built.inject({ method: 'GET', url: '/nope.js' })).statusCode, 404);
    const dotfile = await built.inject({ method: 'GET', url: '/.built' });
    assert.notEqual(dotfile.statusCode, 200);
  });

  test('without a build, / says how to build the client and links the API and health check', async () => {
    const response = await missing.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /npm run web:build/);
    assert.match(response.body, /href="\/api\/v1\/openapi\.json"/);
    assert.match(response.body, /href="\/healthz"/);
  });
});
