import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { buildWorld, resetVisibility, TEST_ACTOR } from '../../../test/support/visibility-world.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { CoreServices } from '../../services.ts';
import { parseParty, ruleSentence } from './rule-text.ts';

function rejectsWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.equal((error as { code?: string }).code, code, String(error));
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  };
}

describeOnEachDatabase('visibility administration', (context) => {
  let services: CoreServices;
  let counter = 0;
  const world = () => buildWorld(services, `a${++counter}-`);

  beforeEach(async () => {
    services = servicesOver(context.store);
    await resetVisibility(services);
  });

  test('rules are listed with unit paths and group names, follow a renamed unit, and go with a removed unit or group', async () => {
    const w = await world();
    const admin = services.visibility.admin;
    const added = await admin.addRule(
      {
        subject: { kind: 'group', name: w.group },
        object: { kind: 'unit', path: w.unit('Sales') },
        permission: 'message',
        effect: 'allow',
      },
      TEST_ACTOR,
    );
    assert.deepEqual(added.subject, { kind: 'group', name: w.group });
    assert.deepEqual(added.object, { kind: 'unit', path: w.unit('Sales'), includeSubunits: true });
    assert.equal(ruleSentence(added), `group:${w.group} may message unit:${w.unit('Sales')}`);
    const hiddenRule = await admin.addRule(
      {
        subject: { kind: 'everyone' },
        object: { kind: 'unit', path: w.unit('Exec/Board'), includeSubunits: false },
        permission: 'see',
        effect: 'deny',
      },
      TEST_ACTOR,
    );
    assert.equal(ruleSentence(hiddenRule), `everyone may not see unit-only:${w.unit('Exec/Board')}`);
    await admin.hide(w.unit('Exec'), TEST_ACTOR);

    await services.directory.org.rename(w.unit('Sales'), `${w.prefix}営業部`, TEST_ACTOR);
    const overview = await admin.overview();
    assert.equal(overview.mode, 'open');
    assert.deepEqual(
      overview.rules.map((r) => [r.id, ruleSentence(r)]),
      [
        [added.id, `group:${w.group} may message unit:${w.prefix}営業部`],
        [hiddenRule.id, `everyone may not see unit-only:${w.unit('Exec/Board')}`],
      ],
    );
    assert.deepEqual(overview.hiddenUnits, [w.unit('Exec')]);

    // A unit can only be removed when empty; its rules (and its hidden mark) go with it.
    await services.directory.users.update(w.address('board'), { unit: w.unit('Exec') }, TEST_ACTOR);
    await services.directory.org.remove(w.unit('Exec/Board'), TEST_ACTOR);
    await services.directory.groups.remove(w.group, TEST_ACTOR);
    assert.deepEqual((await admin.overview()).rules, []);
  });

  test('a rule naming an unknown unit or group, a bad permission or effect, or a duplicate is refused with one clear message', async () => {
    const w = await world();
    const admin = services.visibility.admin;
    const add = (subject: string, permission: string, effect: string, object: string) =>
      admin.addRule(
        { subject: parseParty(subject, 'subject'), object: parseParty(object, 'object'), permission, effect },
        TEST_ACTOR,
      );
    await assert.rejects(
      add(`unit:${w.prefix}Nowhere/Team`, 'see', 'allow', 'everyone'),
      rejectsWith(ErrorCode.UNIT_UNKNOWN, new RegExp(`^rule subject: unknown org unit "${w.prefix}Nowhere"`)),
    );
    await assert.rejects(
      add('everyone', 'see', 'allow', 'group:Ghosts'),
      rejectsWith(ErrorCode.GROUP_UNKNOWN, /^rule object: unknown group "Ghosts"$/),
    );
    await assert.rejects(
      add('everyone', 'read', 'allow', 'everyone'),
      rejectsWith(ErrorCode.INVALID_INPUT, /^permission "read": expected see or message$/),
    );
    await assert.rejects(
      add('everyone', 'see', 'maybe', 'everyone'),
      rejectsWith(ErrorCode.INVALID_INPUT, /^effect "maybe": expected allow or deny$/),
    );
    const first = await add(`unit:${w.unit('Dev')}`, 'SEE', 'Deny', `group:${w.group}`);
    assert.equal(first.permission, 'see');
    await assert.rejects(
      add(`unit:${w.unit('Dev')}`, 'see', 'deny', `group:${w.group}`),
      rejectsWith(ErrorCode.RULE_EXISTS, new RegExp(`^this rule exists already \\(#${first.id}\\): unit:`)),
    );
    // The same parties with another effect or permission, or unit-only, are other rules.
    await add(`unit:${w.unit('Dev')}`, 'see', 'allow', `group:${w.group}`);
    await add(`unit-only:${w.unit('Dev')}`, 'see', 'deny', `group:${w.group}`);
    assert.equal((await admin.listRules()).length, 3, 'nothing else was stored');

    for (const bad of ['', 'unit:', 'team:Sales', 'group:  ', 'Sales']) {
      assert.throws(
        () => parseParty(bad, '--subject'),
        rejectsWith(ErrorCode.INVALID_INPUT, /^--subject ".*": expected unit:PATH/),
      );
    }
    await assert.rejects(
      admin.removeRule(987_654, TEST_ACTOR),
      rejectsWith(ErrorCode.RULE_UNKNOWN, /#987654/),
    );
    await assert.rejects(
      admin.setMode('half-open', TEST_ACTOR),
      rejectsWith(ErrorCode.INVALID_INPUT, /expected open or closed/),
    );
    await assert.rejects(admin.hide(`${w.prefix}Nowhere`, TEST_ACTOR), rejectsWith(ErrorCode.UNIT_UNKNOWN));
    await assert.rejects(admin.hide('a//b', TEST_ACTOR), rejectsWith(ErrorCode.INVALID_INPUT));
    await assert.rejects(
      admin.check(w.address('dev'), 'nobody@example.com'),
      rejectsWith(ErrorCode.USER_UNKNOWN),
    );
  });

  test('every change is audited with its actor and protocol; a refused one and a no-op leave no entry', async () => {
    const w = await world();
    const admin = services.visibility.admin;
    const since = Date.now();
    const rule = await admin.addRule(
      {
        subject: { kind: 'everyone' },
        object: { kind: 'group', name: w.group },
        permission: 'see',
        effect: 'deny',
      },
      TEST_ACTOR,
    );
    await admin.removeRule(rule.id, TEST_ACTOR);
    await admin.setMode('closed', TEST_ACTOR);
    await admin.setMode('closed', TEST_ACTOR);
    await admin.hide(w.unit('Exec'), TEST_ACTOR);
    await admin.hide(w.unit('Exec'), TEST_ACTOR);
    await admin.unhide(w.unit('Exec'), TEST_ACTOR);
    await assert.rejects(admin.setMode('nope', TEST_ACTOR));
    const entries = (await services.audit.query({ actor: TEST_ACTOR.name, from: since })).reverse();
    const mine = entries.filter((e) => e.action.startsWith('visibility.') || e.action.startsWith('org.'));
    assert.deepEqual(
      mine.map((e) => [e.action, e.target]),
      [
        ['visibility.rule.add', `rule #${rule.id}`],
        ['visibility.rule.remove', `rule #${rule.id}`],
        ['visibility.mode', 'closed'],
        ['org.hide', w.unit('Exec')],
        ['org.unhide', w.unit('Exec')],
      ],
    );
    for (const entry of mine) {
      assert.equal(entry.protocol, TEST_ACTOR.protocol);
      assert.equal(entry.remote, TEST_ACTOR.remote);
      assert.equal(entry.outcome, 'success');
    }
    assert.equal(mine[0]?.details.rule, `everyone may not see group:${w.group}`);
    assert.equal(mine[2]?.details.from, 'open');
  });

  test('check says whether a may see and message b and names what decided, from fresh facts', async () => {
    const w = await world();
    const admin = services.visibility.admin;
    await admin.setMode('closed', TEST_ACTOR);
    const allow = await admin.addRule(
      {
        subject: { kind: 'unit', path: w.unit('Dev') },
        object: { kind: 'everyone' },
        permission: 'see',
        effect: 'allow',
      },
      TEST_ACTOR,
    );
    await admin.hide(w.unit('Exec/Board'), TEST_ACTOR);
    const check = await admin.check(w.address('dev'), w.address('sales'));
    assert.equal(check.see.allowed, true);
    assert.equal(check.see.explanation, `rule #${allow.id}: unit:${w.unit('Dev')} may see everyone`);
    assert.equal(check.message.allowed, false);
    assert.equal(check.message.explanation, 'no rule allows it, and the mode is closed');

    const hidden = await admin.check(w.address('dev'), w.address('board'));
    assert.deepEqual([hidden.see.allowed, hidden.message.allowed], [false, false]);
    assert.equal(
      hidden.see.explanation,
      `${w.address('board')} is in the hidden unit ${w.unit('Exec/Board')}, and ${w.address('dev')} is not`,
    );
    assert.match(
      (await admin.check(w.address('tokyo'), w.address('tokyo2'))).see.explanation,
      /^both are in /,
    );
    assert.match(
      (await admin.check(w.address('admin'), w.address('board'))).message.explanation,
      /is an administrator/,
    );
    assert.equal((await admin.check(w.address('dev'), w.address('dev'))).see.explanation, 'the same person');

    // Another process (a second set of services over the same database) changed the rules: check sees it.
    const other = servicesOver(context.store);
    await other.visibility.admin.setMode('open', TEST_ACTOR);
    const reopened = await admin.check(w.address('dev'), w.address('sales'));
    assert.equal(reopened.message.allowed, true);
    assert.equal(reopened.message.explanation, 'no deny rule applies, and the mode is open');
  });
});
