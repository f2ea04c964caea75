/// <reference types="node" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiGroup } from '../../../../src/protocol/admin-api.ts';
import type { ApiVisibilityRule, RuleParty } from '../../../../src/protocol/visibility.ts';
import { checkGroupName, filterGroups, ruleCounts, rulesNaming } from './group-model.ts';

let nextId = 1;
function rule(subject: RuleParty, object: RuleParty): ApiVisibilityRule {
  return {
    id: nextId++,
    subject,
    object,
    permission: 'see',
    effect: 'allow',
    text: 'a rule',
    createdAt: '2027-01-01T00:00:00.000Z',
  };
}

const group = (name: string): RuleParty => ({ kind: 'group', name });
const everyone: RuleParty = { kind: 'everyone' };
const sales: RuleParty = { kind: 'unit', path: '営業部', includeSubunits: true };

describe('the group name check of the groups screen', () => {
  test('letters of any script, digits, space . _ - are accepted, trimmed', () => {
    assert.deepEqual(checkGroupName('  Project X '), { ok: true, name: 'Project X' });
    assert.deepEqual(checkGroupName('発売チーム_2027.v-1'), { ok: true, name: '発売チーム_2027.v-1' });
    assert.deepEqual(checkGroupName('9 lives'), { ok: true, name: '9 lives' });
  });

  test('the name is compared in NFC, as the server stores it', () => {
    const decomposed = 'ガ'.normalize('NFD');
    assert.deepEqual(checkGroupName(decomposed), { ok: true, name: 'ガ' });
    assert.deepEqual(checkGroupName(decomposed, ['ガ']), { ok: false, problem: 'exists' });
  });

  test('each bad name is refused with the reason', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['-dash first', 'characters'],
      ['.hidden', 'characters'],
      ['a/b', 'characters'],
      ['a@b', 'characters'],
      ['emoji 🎉', 'characters'],
      ['x'.repeat(101), 'too-long'],
    ];
    for (const [text, problem] of cases) {
      assert.deepEqual(checkGroupName(text), { ok: false, problem }, JSON.stringify(text));
    }
    assert.equal(checkGroupName('x'.repeat(100)).ok, true);
    assert.deepEqual(checkGroupName('Design', ['Design', 'Sales']), { ok: false, problem: 'exists' });
  });
});

describe('the rules a group is named in', () => {
  const rules = [
    rule(group('Design'), everyone),
    rule(sales, group('Design')),
    rule(group('Design'), group('Design')),
    rule(group('Sales team'), sales),
    rule(everyone, sales),
  ];

  test('rulesNaming finds it on either side, once per rule', () => {
    assert.deepEqual(
      rulesNaming(rules, 'Design').map((r) => r.id),
      [rules[0]?.id, rules[1]?.id, rules[2]?.id],
    );
    assert.deepEqual(rulesNaming(rules, 'Nobody'), []);
    assert.deepEqual(rulesNaming(rules, 'Sales'), [], 'a unit path is not a group name');
  });

  test('ruleCounts counts a rule naming the group on both sides once', () => {
    assert.deepEqual([...ruleCounts(rules)].sort(), [
      ['Design', 3],
      ['Sales team', 1],
    ]);
  });
});

describe('the filter of the groups list', () => {
  const groups: ApiGroup[] = [
    { name: 'Design', description: 'UI and brand', members: 3 },
    { name: '発売チーム', description: 'launch 2027', members: 5 },
    { name: 'Sales team', description: '', members: 0 },
  ];

  test('every word must appear in the name or the description, in any case', () => {
    assert.deepEqual(
      filterGroups(groups, 'brand').map((g) => g.name),
      ['Design'],
    );
    assert.deepEqual(
      filterGroups(groups, '  TEAM  sales ').map((g) => g.name),
      ['Sales team'],
    );
    assert.deepEqual(
      filterGroups(groups, '発売 2027').map((g) => g.name),
      ['発売チーム'],
    );
    assert.deepEqual(filterGroups(groups, 'design launch'), []);
    assert.equal(filterGroups(groups, '   ').length, 3);
  });
});
