import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { buildWorld, resetVisibility, TEST_ACTOR } from '../../../test/support/visibility-world.ts';
import type { CoreServices } from '../../services.ts';
import { createVisibilityPolicy } from './index.ts';

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`not within 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeOnEachDatabase('visibility policy cache', (context) => {
  let services: CoreServices;
  let counter = 0;
  const world = () => buildWorld(services, `c${++counter}-`);

  beforeEach(async () => {
    services = servicesOver(context.store);
    await resetVisibility(services);
  });

  test('a change through the admin paths of this process shows at once', async () => {
    const w = await world();
    assert.equal(await w.see('dev', 'sales'), true);
    await services.visibility.admin.addRule(
      {
        subject: { kind: 'everyone' },
        object: { kind: 'unit', path: w.unit('Sales') },
        permission: 'see',
        effect: 'deny',
      },
      TEST_ACTOR,
    );
    assert.equal(await w.see('dev', 'sales'), false);
    await services.visibility.admin.hide(w.unit('Dev'), TEST_ACTOR);
    assert.equal(await w.see('exec', 'dev'), false);
    await services.visibility.admin.setMode('closed', TEST_ACTOR);
    assert.equal(await w.see('exec', 'tokyo'), false);
  });

  test('a directory change shows after invalidate(), and not before', async () => {
    const w = await world();
    await services.visibility.admin.setMode('closed', TEST_ACTOR);
    assert.equal(await w.see('dev', 'sales'), false);
    await services.directory.users.update(w.address('dev'), { unit: w.unit('Sales') }, TEST_ACTOR);
    assert.equal(await w.see('dev', 'sales'), false, 'the cached facts still hold dev in Dev');
    services.visibility.invalidate();
    assert.equal(await w.see('dev', 'sales'), true, 'now colleagues in Sales');
    await services.directory.groups.removeMember(w.group, w.address('tokyo'), TEST_ACTOR);
    services.visibility.invalidate();
    const decision = await services.visibility.explain(w.id('tokyo'), w.id('dev'));
    assert.equal(decision?.see.allowed, false);
  });

  test('another process’s change shows within the TTL (refreshed in the background), at once past the stale limit', async () => {
    const w = await world();
    let clock = 1_000_000;
    const policy = createVisibilityPolicy(services, { ttlMs: 5_000, maxStaleMs: 60_000, now: () => clock });
    const other = servicesOver(context.store);
    assert.equal(await policy.canSee(w.id('dev'), w.id('sales')), true);
    await other.visibility.admin.addRule(
      {
        subject: { kind: 'everyone' },
        object: { kind: 'unit', path: w.unit('Sales') },
        permission: 'see',
        effect: 'deny',
      },
      TEST_ACTOR,
    );
    clock += 4_999;
    assert.equal(await policy.canSee(w.id('dev'), w.id('sales')), true, 'within the TTL: cached');
    clock += 1;
    assert.equal(await policy.canSee(w.id('dev'), w.id('sales')), true, 'the stale answer, while refreshing');
    await eventually(
      async () => !(await policy.canSee(w.id('dev'), w.id('sales'))),
      'the refreshed snapshot',
    );

    await other.visibility.admin.setMode('closed', TEST_ACTOR);
    clock += 60_000;
    assert.equal(await policy.canSee(w.id('exec'), w.id('dev')), false, 'too old: the refresh is awaited');
  });

  test('a user created by another process is found by reloading the snapshot, at most once a second', async () => {
    const w = await world();
    let clock = 1_000_000;
    const policy = createVisibilityPolicy(services, { now: () => clock });
    assert.equal(await policy.canSee(w.id('dev'), w.id('sales')), true);
    const other = servicesOver(context.store);
    const create = (name: string) =>
      other.directory.users.create(
        `${w.prefix}${name}@example.com`,
        { displayName: name, unit: w.unit('Sales') },
        TEST_ACTOR,
      );
    // Right after a load: the first unknown id reloads at once.
    const newcomer = await create('new');
    assert.equal(await policy.canSee(w.id('dev'), newcomer.id), true);
    // Another unknown id within the second does not reload again…
    const second = await create('second');
    assert.equal(
      await policy.canSee(w.id('dev'), second.id),
      false,
      'within a second of the last unknown-id reload',
    );
    // …a second later it does.
    clock += 1_000;
    assert.equal(await policy.canSee(w.id('dev'), second.id), true);
    assert.deepEqual(
      await policy.visibleAmong(newcomer.id, [w.id('sales'), 424_242]),
      new Set([w.id('sales')]),
    );
  });
});
