import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/loader.ts';
import { BotService } from '../src/im/bots/bot-service.ts';
import { openServices } from '../src/services.ts';
import { cooOn, DataDirTemplate, oneLine } from './support/cli.ts';

/** Checks a bot token the way the bot API does, on the data dir. */
async function botOfToken(dataDir: string, token: string): Promise<string> {
  const services = await openServices(loadConfig(dataDir));
  try {
    return (await new BotService(services).authenticate(token)).address;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await services.close();
  }
}

describe('coo bot', () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('bot add prints the token once; list shows the bot; remove ends the token', async () => {
    const dir = template.copy();
    const coo = cooOn(dir);
    const added = await coo(['bot', 'add', 'zabbix', '--display-name', '監視 (Zabbix)']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^created bot zabbix \("監視 \(Zabbix\)"\), sending as zabbix@example\.com$/m);
    const tokens = [...added.stdout.matchAll(/Token \(shown once\): (coob_\S+)/g)];
    assert.equal(tokens.length, 1);
    const token = tokens[0]?.[1] ?? '';
    assert.equal(await botOfToken(dir, token), 'zabbix@example.com');

    const listed = await coo(['bot', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /zabbix\s+監視 \(Zabbix\)\s+zabbix@example\.com\s+.*\s+cli\s+/);
    assert.equal(listed.stdout.includes(token), false);

    const again = await coo(['bot', 'add', 'zabbix']);
    assert.equal(again.code, 1);
    assert.equal(oneLine(again), 'coo: bot "zabbix" already exists');

    const removed = await coo(['bot', 'remove', 'zabbix']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await botOfToken(dir, token), 'AUTH_REQUIRED');
    assert.match((await coo(['bot', 'list'])).stdout, /^no bots/);
  });

  test('a bad name, an unknown bot and a missing name are errors with one line', async () => {
    const coo = cooOn(template.copy());
    const bad = await coo(['bot', 'add', 'no spaces']);
    assert.equal(bad.code, 1);
    assert.match(oneLine(bad), /^coo: "no spaces" is not a bot name/);
    const unknown = await coo(['bot', 'remove', 'ghost']);
    assert.equal(unknown.code, 1);
    assert.equal(oneLine(unknown), 'coo: no bot "ghost"');
    const missing = await coo(['bot', 'add']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /bot add: missing NAME/);
  });
});
