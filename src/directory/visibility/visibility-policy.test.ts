import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { servicesOver } from '../../../test/support/services.ts';
import {
  buildWorld,
  PEOPLE,
  resetVisibility,
  TEST_ACTOR,
  type Person,
  type World,
} from '../../../test/support/visibility-world.ts';
import type { CoreServices } from '../../services.ts';
import { addGroupMember, findGroupByName } from '../../store/groups.ts';
import { parseParty } from './rule-text.ts';

async function rule(
  services: CoreServices,
  subject: string,
  effect: 'allow' | 'deny',
  permission: 'see' | 'message',
  object: string,
) {
  return services.visibility.admin.addRule(
    { subject: parseParty(subject, 'subject'), object: parseParty(object, 'object'), permission, effect },
    TEST_ACTOR,
  );
}

/** [see, message] of a towards b. */
async function access(world: World, a: Person, b: Person): Promise<[boolean, boolean]> {
  return [await world.see(a, b), await world.message(a, b)];
}

describeOnEachDatabase('visibility policy', (context) => {
  let services: CoreServices;
  let counter = 0;
  const world = () => buildWorld(services, `p${++counter}-`);

  beforeEach(async () => {
    services = servicesOver(context.store);
    await resetVisibility(services);
  });

  test('open mode (the default): everyone may see and message everyone, people in no unit too', async () => {
    const w = await world();
    assert.equal(await services.visibility.admin.mode(), 'open');
    for (const a of PEOPLE) {
      for (const b of PEOPLE) assert.deepEqual(await access(w, a, b), [true, true], `${a} → ${b}`);
    }
  });

  test('open mode: a deny "see" rule hides the object (with its sub-units) and so forbids messaging; one way only', async () => {
    const w = await world();
    await rule(services, `unit:${w.unit('Dev')}`, 'deny', 'see', `unit:${w.unit('Sales')}`);
    assert.deepEqual(await access(w, 'dev', 'sales'), [false, false]);
    assert.deepEqual(await access(w, 'dev', 'tokyo'), [false, false], 'Sales/Tokyo is inside Sales');
    assert.deepEqual(await access(w, 'sales', 'dev'), [true, true], 'the rule goes one way');
    assert.deepEqual(await access(w, 'exec', 'sales'), [true, true]);
    assert.deepEqual(await access(w, 'admin', 'sales'), [true, true], 'administrators see everyone');
  });

  test('open mode: a deny "message" rule forbids messaging but leaves seeing', async () => {
    const w = await world();
    await rule(services, 'everyone', 'deny', 'message', `unit:${w.unit('Exec')}`);
    assert.deepEqual(await access(w, 'sales', 'exec'), [true, false]);
    assert.deepEqual(await access(w, 'nounit', 'board'), [true, false]);
    assert.deepEqual(
      await access(w, 'exec', 'board'),
      [true, false],
      'a rule for everyone covers insiders too',
    );
    assert.deepEqual(await access(w, 'board', 'board'), [true, true], 'oneself, always');
    assert.deepEqual(await access(w, 'admin', 'exec'), [true, true]);
  });

  test('closed mode: only oneself, one’s own unit and administrators until rules allow more', async () => {
    const w = await world();
    await services.visibility.admin.setMode('closed', TEST_ACTOR);
    assert.deepEqual(await access(w, 'sales', 'sales'), [true, true], 'oneself');
    assert.deepEqual(await access(w, 'tokyo', 'tokyo2'), [true, true], 'own unit');
    assert.deepEqual(await access(w, 'tokyo', 'sales'), [false, false], 'the parent unit is another unit');
    assert.deepEqual(await access(w, 'sales', 'tokyo'), [false, false], 'a sub-unit is another unit');
    assert.deepEqual(await access(w, 'dev', 'sales'), [false, false]);
    assert.deepEqual(await access(w, 'dev', 'admin'), [true, true], 'admin sits in Dev: own unit');
    assert.deepEqual(await access(w, 'sales', 'admin'), [false, false], 'an admin is not visible by default');
    assert.deepEqual(await access(w, 'nounit', 'sales'), [false, false]);
    assert.deepEqual(await access(w, 'nounit', 'nounit'), [true, true]);
    for (const b of PEOPLE) assert.deepEqual(await access(w, 'admin', b), [true, true], `admin → ${b}`);
  });

  test('closed mode: an allow "see" rule lets see but not message; an allow "message" rule implies see', async () => {
    const w = await world();
    await services.visibility.admin.setMode('closed', TEST_ACTOR);
    await rule(services, `unit:${w.unit('Dev')}`, 'allow', 'see', `unit:${w.unit('Sales')}`);
    assert.deepEqual(await access(w, 'dev', 'sales'), [true, false]);
    assert.deepEqual(await access(w, 'sales', 'dev'), [false, false], 'one way');
    await rule(services, `unit:${w.unit('Sales')}`, 'allow', 'message', `unit:${w.unit('Dev')}`);
    assert.deepEqual(await access(w, 'sales', 'dev'), [true, true]);
    assert.deepEqual(
      await access(w, 'tokyo', 'dev'),
      [true, true],
      'the subject unit includes its sub-units',
    );
  });

  test('deny wins over allow, in both modes; a deny "see" also denies messaging', async () => {
    const w = await world();
    for (const mode of ['closed', 'open']) {
      await resetVisibility(services);
      await services.visibility.admin.setMode(mode, TEST_ACTOR);
      await rule(services, 'everyone', 'allow', 'message', 'everyone');
      await rule(services, `group:${w.group}`, 'deny', 'message', `unit:${w.unit('Sales')}`);
      await rule(services, `unit:${w.unit('Dev')}`, 'deny', 'see', `unit:${w.unit('Exec')}`);
      assert.deepEqual(await access(w, 'dev', 'sales'), [true, false], `${mode}: dev is in the group`);
      assert.deepEqual(await access(w, 'tokyo', 'sales'), [true, false], `${mode}: tokyo too`);
      assert.deepEqual(await access(w, 'tokyo', 'tokyo2'), [true, true], `${mode}: own unit always`);
      assert.deepEqual(await access(w, 'exec', 'sales'), [true, true], `${mode}: not in the group`);
      assert.deepEqual(await access(w, 'dev', 'board'), [false, false], `${mode}: deny see`);
      assert.deepEqual(await access(w, 'admin', 'board'), [true, true], `${mode}: admins are exempt`);
    }
  });

  test('a unit rule covers its sub-units; unit-only covers the unit’s own members, on either side', async () => {
    const w = await world();
    await services.visibility.admin.setMode('closed', TEST_ACTOR);
    const wide = await rule(services, `unit:${w.unit('Dev')}`, 'allow', 'see', `unit:${w.unit('Sales')}`);
    assert.deepEqual([await w.see('dev', 'sales'), await w.see('dev', 'tokyo')], [true, true]);
    await services.visibility.admin.removeRule(wide.id, TEST_ACTOR);
    await rule(services, `unit:${w.unit('Dev')}`, 'allow', 'see', `unit-only:${w.unit('Sales')}`);
    assert.deepEqual([await w.see('dev', 'sales'), await w.see('dev', 'tokyo')], [true, false]);
    await rule(services, `unit-only:${w.unit('Sales')}`, 'allow', 'see', `unit:${w.unit('Dev')}`);
    assert.deepEqual([await w.see('sales', 'dev'), await w.see('tokyo', 'dev')], [true, false]);
  });

  test('group and everyone rules: members of a group reach each other; everyone includes people in no unit', async () => {
    const w = await world();
    await services.visibility.admin.setMode('closed', TEST_ACTOR);
    await rule(services, `group:${w.group}`, 'allow', 'message', `group:${w.group}`);
    assert.deepEqual(await access(w, 'dev', 'tokyo'), [true, true]);
    assert.deepEqual(await access(w, 'tokyo', 'dev'), [true, true]);
    assert.deepEqual(await access(w, 'dev', 'tokyo2'), [false, false], 'tokyo2 is not in the group');
    await rule(services, 'everyone', 'allow', 'see', `unit:${w.unit('Dev')}`);
    assert.deepEqual(await access(w, 'nounit', 'dev'), [true, false]);
    assert.deepEqual(await access(w, 'exec', 'admin'), [true, false]);
  });

  test('a hidden unit: invisible to everyone outside it whatever the rules; insiders and admins see it', async () => {
    const w = await world();
    const admin = services.visibility.admin;
    assert.deepEqual(await admin.hide(w.unit('Exec'), TEST_ACTOR), { path: w.unit('Exec'), changed: true });
    assert.deepEqual(await access(w, 'sales', 'exec'), [false, false]);
    assert.deepEqual(await access(w, 'sales', 'board'), [false, false], 'sub-units are hidden with it');
    assert.deepEqual(await access(w, 'nounit', 'board'), [false, false]);
    assert.deepEqual(await access(w, 'exec', 'board'), [true, true], 'exec is inside Exec');
    assert.deepEqual(await access(w, 'board', 'exec'), [true, true], 'board is inside Exec too');
    assert.deepEqual(await access(w, 'exec', 'sales'), [true, true], 'they still see out');
    assert.deepEqual(await access(w, 'admin', 'board'), [true, true]);

    await rule(services, 'everyone', 'allow', 'message', `unit:${w.unit('Exec')}`);
    await admin.setMode('closed', TEST_ACTOR);
    assert.deepEqual(await access(w, 'sales', 'exec'), [false, false], 'no rule opens a hidden unit');

    const salesId = w.id('sales');
    const tree = await services.directory.org.list();
    const execUnit = tree.find((u) => u.path === w.unit('Exec'));
    assert.ok(execUnit);
    const hidden = await services.visibility.hiddenUnitsFor(salesId);
    assert.ok(hidden.has(execUnit.id));
    assert.ok(hidden.has(execUnit.children[0]?.id ?? -1), 'Exec/Board too');
    assert.equal((await services.visibility.hiddenUnitsFor(w.id('board'))).size, 0);
    assert.equal((await services.visibility.hiddenUnitsFor(w.id('admin'))).size, 0);
    const seen = await services.visibility.visibleOrgTree(salesId, tree);
    assert.ok(!seen.some((u) => u.path === w.unit('Exec')));
    assert.ok(seen.some((u) => u.path === w.unit('Sales')));

    assert.equal(
      (await admin.hide(w.unit('Exec'), TEST_ACTOR)).changed,
      false,
      'hiding twice changes nothing',
    );
    await admin.unhide(w.unit('Exec'), TEST_ACTOR);
    await admin.setMode('open', TEST_ACTOR);
    assert.deepEqual(await access(w, 'sales', 'board'), [true, true]);

    await admin.hide(w.unit('Exec/Board'), TEST_ACTOR);
    assert.deepEqual(await access(w, 'exec', 'board'), [false, false], 'Exec is outside Exec/Board');
    assert.deepEqual(await access(w, 'board', 'exec'), [true, true]);
  });

  test('explain names what decided: oneself, admin, own unit, hidden unit, the rule, the mode', async () => {
    const w = await world();
    const explain = async (a: Person, b: Person) => {
      const decision = await services.visibility.explain(w.id(a), w.id(b));
      assert.ok(decision);
      return [decision.see.reason.kind, decision.message.reason.kind];
    };
    const deny = await rule(services, `unit:${w.unit('Dev')}`, 'deny', 'message', `unit:${w.unit('Sales')}`);
    await services.visibility.admin.hide(w.unit('Exec/Board'), TEST_ACTOR);
    assert.deepEqual(await explain('dev', 'dev'), ['self', 'self']);
    assert.deepEqual(await explain('admin', 'board'), ['admin', 'admin']);
    assert.deepEqual(await explain('tokyo', 'tokyo2'), ['own-unit', 'own-unit']);
    assert.deepEqual(await explain('sales', 'board'), ['hidden-unit', 'hidden-unit']);
    assert.deepEqual(await explain('dev', 'tokyo'), ['mode', 'rule']);
    const decision = await services.visibility.explain(w.id('dev'), w.id('tokyo'));
    assert.equal(decision?.message.reason.kind === 'rule' && decision.message.reason.rule.id, deny.id);
    assert.equal(await services.visibility.explain(w.id('dev'), 987_654), null, 'an unknown user');
  });

  test('visibleAmong and messageableAmong over thousands of targets agree with canSee and canMessage', async () => {
    const w = await world();
    const { directory } = services;
    const admin = services.visibility.admin;
    const ids: number[] = [];
    // 1,500 people across the five units, a third of them in the group.
    const units = ['Sales', 'Sales/Tokyo', 'Dev', 'Exec', 'Exec/Board'] as const;
    await context.store.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 1500; i++) {
        const user = await directory.users.create(
          `${w.prefix}many${i}@example.com`,
          { displayName: `many ${i}`, unit: w.unit(units[i % units.length] ?? 'Sales') },
          TEST_ACTOR,
          {},
          tx,
        );
        ids.push(user.id);
      }
    });
    const group = await findGroupByName(context.store.db, w.group);
    assert.ok(group);
    for (const id of ids.filter((_, i) => i % 3 === 0)) await addGroupMember(context.store.db, group.id, id);
    services.visibility.invalidate();
    await admin.setMode('closed', TEST_ACTOR);
    await rule(services, `unit:${w.unit('Dev')}`, 'allow', 'message', `unit:${w.unit('Sales')}`);
    await rule(services, `unit:${w.unit('Dev')}`, 'allow', 'see', 'everyone');
    await rule(services, `unit:${w.unit('Dev')}`, 'deny', 'message', `group:${w.group}`);
    await admin.hide(w.unit('Exec/Board'), TEST_ACTOR);

    const targets = [...ids, ...PEOPLE.map((person) => w.id(person)), 999_999_999];
    const viewer = w.id('dev');
    const visible = await services.visibility.visibleAmong(viewer, targets);
    const messageable = await services.visibility.messageableAmong(viewer, targets);
    for (const target of targets) {
      assert.equal(visible.has(target), await services.visibility.canSee(viewer, target), `see ${target}`);
      assert.equal(
        messageable.has(target),
        await services.visibility.canMessage(viewer, target),
        `message ${target}`,
      );
    }
    // Sales + Sales/Tokyo: 600 of the 1,500; Dev: 300; Exec: 300 visible by the everyone rule; Exec/Board hidden.
    assert.equal([...visible].filter((id) => ids.includes(id)).length, 1200);
    // Messageable: Sales and Sales/Tokyo and Dev (own unit) minus the group members among Sales and Tokyo.
    const inGroup = new Set(ids.filter((_, i) => i % 3 === 0));
    const expected = ids.filter((id, i) => {
      const unit = units[i % units.length];
      if (unit === 'Dev') return true;
      return (unit === 'Sales' || unit === 'Sales/Tokyo') && !inGroup.has(id);
    });
    assert.deepEqual(
      [...messageable].filter((id) => ids.includes(id)).sort((a, b) => a - b),
      expected.sort((a, b) => a - b),
    );
    assert.ok(!visible.has(999_999_999), 'unknown ids are left out');
    const everyone = await services.visibility.visibleAmong(w.id('admin'), targets);
    assert.equal(everyone.size, targets.length - 1, 'an admin sees every known target');
  });
});
