/// <reference types="node" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiOrgUnit } from '../../../../src/protocol/admin-api.ts';
import {
  allPaths,
  canDropInto,
  dropPlacement,
  findUnit,
  flattenUnits,
  isWithin,
  nameOf,
  parentChoices,
  parentOf,
} from './org-model.ts';

function unit(path: string, children: ApiOrgUnit[] = [], members = 0): ApiOrgUnit {
  return { name: nameOf(path), path, position: 0, members, children };
}

// 営業部 (東京, 大阪), 開発部, 総務部
const tree: ApiOrgUnit[] = [
  unit('営業部', [unit('営業部/東京', [], 3), unit('営業部/大阪')]),
  unit('開発部', [], 2),
  unit('総務部'),
];

describe('org chart model', () => {
  test('the tree flattens in display order with depths, and collapsed units hide their children', () => {
    assert.deepEqual(
      flattenUnits(tree).map((row) => [row.path, row.depth, row.index, row.siblingCount]),
      [
        ['営業部', 0, 0, 3],
        ['営業部/東京', 1, 0, 2],
        ['営業部/大阪', 1, 1, 2],
        ['開発部', 0, 1, 3],
        ['総務部', 0, 2, 3],
      ],
    );
    assert.deepEqual(
      flattenUnits(tree, new Set(['営業部'])).map((row) => row.path),
      ['営業部', '開発部', '総務部'],
    );
  });

  test('paths: parent, name, within (a prefix that is not a whole part does not count)', () => {
    assert.equal(parentOf('営業部/東京'), '営業部');
    assert.equal(parentOf('営業部'), null);
    assert.equal(nameOf('営業部/東京'), '東京');
    assert.ok(isWithin('営業部/東京', '営業部'));
    assert.ok(isWithin('営業部', '営業部'));
    assert.ok(!isWithin('営業部2', '営業部'));
    assert.equal(findUnit(tree, '営業部/大阪')?.name, '大阪');
    assert.equal(findUnit(tree, '営業部/名古屋'), undefined);
  });

  test('a unit may move anywhere but into itself or below itself', () => {
    assert.deepEqual(parentChoices(tree, '営業部'), ['開発部', '総務部']);
    assert.deepEqual(parentChoices(tree, '営業部/東京'), ['営業部', '営業部/大阪', '開発部', '総務部']);
    assert.deepEqual(allPaths(tree).length, 5);
    assert.ok(canDropInto('開発部', '営業部'));
    assert.ok(!canDropInto('営業部', '営業部/東京'));
    assert.ok(!canDropInto('営業部/東京', '営業部'), 'already there');
    assert.ok(canDropInto('営業部/東京', null));
    assert.ok(!canDropInto('開発部', null), 'already at the top');
  });

  test('dropping beside a unit counts the positions without the moving unit, as the server does', () => {
    assert.deepEqual(dropPlacement(tree, '総務部', '営業部', 'before'), { parent: null, position: 0 });
    assert.deepEqual(dropPlacement(tree, '営業部', '総務部', 'after'), { parent: null, position: 2 });
    assert.deepEqual(dropPlacement(tree, '営業部', '開発部', 'after'), { parent: null, position: 1 });
    assert.deepEqual(dropPlacement(tree, '開発部', '営業部/大阪', 'before'), {
      parent: '営業部',
      position: 1,
    });
    assert.equal(dropPlacement(tree, '営業部', '営業部/東京', 'before'), null);
  });
});
