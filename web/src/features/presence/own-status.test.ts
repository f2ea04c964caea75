import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwnStatus, reflects, type StatusChoice } from './own-status.ts';
import type { Presence } from './presence-registry.ts';

function setup(options: { stored?: StatusChoice | null; server?: Presence; idleSeconds?: number } = {}) {
  let stored = options.stored ?? null;
  let server: Presence = options.server ?? { state: 'online', text: '' };
  const frames: string[] = [];
  const merged: Presence[] = [];
  const own = new OwnStatus({
    request: async <T>(t: string, body: Record<string, unknown>) => {
      frames.push(`${t} ${JSON.stringify(body)}`);
      if (t === 'presence.set')
        server = { state: body.state as Presence['state'], text: (body.text as string | undefined) ?? '' };
      return server as T;
    },
    storage: { load: () => stored, save: (choice) => (stored = choice) },
    onMerged: (presence) => merged.push(presence),
    idleSeconds: () => options.idleSeconds ?? 0,
  });
  return { own, frames, merged, stored: () => stored };
}

test('reflects: automatic online shows as online or away; a text must match', () => {
  assert.ok(reflects({ state: 'online', text: '' }, { state: 'away', text: '' }));
  assert.ok(!reflects({ state: 'online', text: '' }, { state: 'busy', text: '' }));
  assert.ok(reflects({ state: 'busy', text: 'call' }, { state: 'busy', text: 'call' }));
  assert.ok(!reflects({ state: 'busy', text: 'call' }, { state: 'busy', text: '' }));
});

test('on connecting, idleness is re-reported and a choice the server lost is sent again', async () => {
  const { own, frames, merged } = setup({ stored: { state: 'busy', text: 'call' }, idleSeconds: 75 });
  await own.connected();
  assert.deepEqual(frames, [
    'presence.activity {"idleSeconds":75}',
    'presence.set {"state":"busy","text":"call"}',
  ]);
  assert.deepEqual(merged.at(-1), { state: 'busy', text: 'call' });
});

test('a choice the server still shows is not sent again (a reconnect within the grace period)', async () => {
  const { own, frames } = setup({
    stored: { state: 'meeting', text: '' },
    server: { state: 'meeting', text: '' },
  });
  await own.connected();
  assert.deepEqual(frames, ['presence.activity {"idleSeconds":0}']);
});

test('choosing stores the choice; automatic without text stores nothing; an empty text is omitted', async () => {
  const { own, frames, stored } = setup();
  await own.choose({ state: 'out', text: '直行' });
  assert.deepEqual(stored(), { state: 'out', text: '直行' });
  await own.choose({ state: 'online', text: '' });
  assert.equal(stored(), null);
  assert.deepEqual(frames, ['presence.set {"state":"out","text":"直行"}', 'presence.set {"state":"online"}']);
});

test('a later choice on another device drops ours, so a reconnect does not override it', async () => {
  const { own, frames, stored } = setup({
    stored: { state: 'busy', text: '' },
    server: { state: 'busy', text: '' },
  });
  own.observed({ state: 'busy', text: '' });
  assert.deepEqual(stored(), { state: 'busy', text: '' });
  own.observed({ state: 'offline', text: '' });
  assert.deepEqual(stored(), { state: 'busy', text: '' }, 'offline is no choice');
  own.observed({ state: 'meeting', text: 'board' });
  assert.equal(stored(), null);
  await own.connected();
  assert.deepEqual(frames, ['presence.activity {"idleSeconds":0}']);
});
