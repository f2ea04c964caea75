import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicesOver } from '../../test/support/services.ts';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import type { Config } from '../config/schema.ts';
import { CLI_ACTOR } from '../directory/types.ts';
import { isCooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Store } from '../store/database.ts';
import { getSetting, putSetting } from '../store/settings.ts';
import { AdminSettings } from './admin-settings.ts';
import { LIMIT_NAMES, LIMIT_SETTINGS } from './limit-settings.ts';
import { liveLimit, StoredLimits, storedLimitsOf } from './live-limits.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** The parts of coo.toml the limits read, with values unlike the built-in defaults. */
function configWith(values: {
  upload?: number;
  message?: number;
  perHour?: number;
  recipients?: number;
}): Config {
  return {
    im: { max_upload_size: values.upload ?? 64 * MIB },
    mail: { max_message_size: values.message ?? 10 * MIB },
    submission: { max_messages_per_hour: values.perHour ?? 40, max_recipients: values.recipients ?? 7 },
  } as Config;
}

async function rejectsWithInvalidInput(work: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(isCooError(error), String(error));
    assert.equal(error.code, ErrorCode.INVALID_INPUT);
    assert.match(error.message, pattern);
    return true;
  });
}

describeOnEachDatabase('limit settings', (context) => {
  /** Each test starts with no limit set: the settings table is shared by the suite. */
  async function fresh(config: Config): Promise<{ settings: AdminSettings; store: Store }> {
    const store = context.store;
    await store.db
      .deleteFrom('settings')
      .where(
        'key',
        'in',
        LIMIT_SETTINGS.map((d) => d.key),
      )
      .execute();
    storedLimitsOf(store).forget();
    const services = servicesOver(store);
    return { settings: new AdminSettings({ store, audit: services.audit, config }), store };
  }

  test('never set, each limit is the value of coo.toml, and says so', async () => {
    const { settings } = await fresh(configWith({}));
    const all = await settings.list();
    const limits = all.filter((s) => (LIMIT_NAMES as readonly string[]).includes(s.name));
    assert.deepEqual(
      limits.map((s) => [s.name, s.value, s.isDefault]),
      [
        ['im.max-upload-size', 64 * MIB, true],
        ['mail.max-message-size', 10 * MIB, true],
        ['mail.max-messages-per-hour', 40, true],
        ['mail.max-recipients', 7, true],
      ],
    );
    assert.match(limits[0]?.description ?? '', /default \(from config, \[im\] max_upload_size\): 64M$/);
    assert.match(limits[3]?.description ?? '', /default \(from config, \[submission\] max_recipients\): 7$/);
  });

  test('without the config (a caller that reads no limit), the defaults are coo.toml’s built-in ones', async () => {
    const { store } = await fresh(configWith({}));
    const bare = new AdminSettings({ store, audit: servicesOver(store).audit });
    assert.equal((await bare.get('im.max-upload-size')).value, 2 * GIB);
    assert.equal((await bare.get('mail.max-message-size')).value, 25 * MIB);
    assert.equal((await bare.get('mail.max-messages-per-hour')).value, 300);
    assert.equal((await bare.get('mail.max-recipients')).value, 100);
  });

  test('a setting overrides coo.toml at once for the readers of the limit, and is audited', async () => {
    const config = configWith({});
    const { settings, store } = await fresh(config);
    const upload = liveLimit(store, 'im.max-upload-size', () => config.im.max_upload_size);
    const perHour = liveLimit(
      store,
      'mail.max-messages-per-hour',
      () => config.submission.max_messages_per_hour,
    );
    assert.equal(await upload.read(), 64 * MIB);
    assert.equal(await perHour.read(), 40);

    const set = await settings.set('im.max-upload-size', '500MB', CLI_ACTOR);
    assert.deepEqual([set.value, set.isDefault], [500 * MIB, false]);
    // Read through the cache that held 64M a moment ago: the change forgot it.
    assert.equal(await upload.read(), 500 * MIB);
    assert.equal(await getSetting(store.db, 'im.max_upload_size'), 500 * MIB);
    await settings.set('mail.max-messages-per-hour', '0', CLI_ACTOR);
    assert.equal(await perHour.read(), 0, '0 (no limit) is a value, not "unset"');
    assert.equal((await settings.get('im.max-upload-size')).isDefault, false);

    const audit = await servicesOver(store).audit.query({
      action: 'settings.set',
      target: 'im.max-upload-size',
    });
    const entry = audit.find((e) => e.details.value === 500 * MIB);
    assert.ok(entry, 'the change is in the audit log');
    assert.equal(entry.actor, CLI_ACTOR.name);
  });

  test('sizes take bytes or coo.toml’s units (2GiB, 500M, 1.5G): powers of 1024', async () => {
    const { settings } = await fresh(configWith({}));
    for (const [given, bytes] of [
      ['2GiB', 2 * GIB],
      ['500M', 500 * MIB],
      ['1.5G', 1.5 * GIB],
      [3 * MIB, 3 * MIB],
      ['1048576', MIB],
    ] as const) {
      assert.equal((await settings.set('im.max-upload-size', given, CLI_ACTOR)).value, bytes, String(given));
    }
  });

  test('values a limit does not take are refused with INVALID_INPUT, naming the range, and change nothing', async () => {
    const { settings } = await fresh(configWith({}));
    await rejectsWithInvalidInput(settings.set('im.max-upload-size', 'lots', CLI_ACTOR), /"500M", "2G"/);
    await rejectsWithInvalidInput(settings.set('im.max-upload-size', '100K', CLI_ACTOR), /from 1M to 1T/);
    await rejectsWithInvalidInput(settings.set('im.max-upload-size', 0, CLI_ACTOR), /from 1M to 1T/);
    await rejectsWithInvalidInput(settings.set('mail.max-message-size', '2G', CLI_ACTOR), /from 1M to 1G/);
    await rejectsWithInvalidInput(settings.set('mail.max-recipients', '0', CLI_ACTOR), /from 1 to 10000/);
    await rejectsWithInvalidInput(settings.set('mail.max-recipients', '', CLI_ACTOR), /whole number/);
    await rejectsWithInvalidInput(settings.set('mail.max-recipients', 2.5, CLI_ACTOR), /whole number/);
    await rejectsWithInvalidInput(
      settings.set('mail.max-messages-per-hour', '-1', CLI_ACTOR),
      /whole number/,
    );
    await rejectsWithInvalidInput(
      settings.set('mail.max-messages-per-hour', true, CLI_ACTOR),
      /invalid|expected/i,
    );
    const after = await settings.list();
    assert.ok(
      after.filter((s) => (LIMIT_NAMES as readonly string[]).includes(s.name)).every((s) => s.isDefault),
      'nothing was stored',
    );
  });

  test('a stored value the setting would not take counts as unset: coo.toml’s value applies', async () => {
    const config = configWith({ recipients: 9 });
    const { settings, store } = await fresh(config);
    await putSetting(store.db, 'mail.max_recipients', 'many');
    const recipients = liveLimit(store, 'mail.max-recipients', () => config.submission.max_recipients);
    assert.equal(await recipients.read(), 9);
    assert.deepEqual(
      [
        (await settings.get('mail.max-recipients')).value,
        (await settings.get('mail.max-recipients')).isDefault,
      ],
      [9, true],
    );
  });

  test('a change made elsewhere (another node, the CLI beside the server) is seen once the cache ages', async () => {
    const store = context.store;
    await fresh(configWith({}));
    let now = 1_000_000;
    const cache = new StoredLimits(store, { cacheMs: 5000, now: () => now });
    assert.deepEqual(await cache.read(), {});
    await putSetting(store.db, 'mail.max_recipients', 3);
    now += 4999;
    assert.deepEqual(await cache.read(), {}, 'still the cached read');
    now += 1;
    assert.deepEqual(await cache.read(), { 'mail.max-recipients': 3 });
    await putSetting(store.db, 'mail.max_recipients', 4);
    cache.forget();
    assert.deepEqual(await cache.read(), { 'mail.max-recipients': 4 }, 'forget() reads again at once');
  });

  test('a read under way when the setting changes is not kept for later readers', async () => {
    const store = context.store;
    await fresh(configWith({}));
    const cache = new StoredLimits(store, { cacheMs: 60_000 });
    const before = cache.read();
    await putSetting(store.db, 'mail.max_recipients', 5);
    cache.forget();
    await before;
    assert.deepEqual(await cache.read(), { 'mail.max-recipients': 5 });
  });
});
