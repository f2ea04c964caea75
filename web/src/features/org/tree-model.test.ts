import type { DirectoryUnit } from '../../../../src/protocol/im/directory.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOrgRoute, personRoute } from './org-route.ts';
import { initialExpanded, pathTo, treeKey, visibleRows, withLiveOnline } from './tree-model.ts';

function unit(
  id: number,
  name: string,
  counts: [number, number, number, number],
  children: DirectoryUnit[] = [],
) {
  const [members, online, totalMembers, totalOnline] = counts;
  return { id, name, members, online, totalMembers, totalOnline, children };
}

const tree: DirectoryUnit[] = [
  unit(1, '営業部', [0, 0, 3, 1], [unit(2, '東京', [2, 1, 2, 1]), unit(3, '大阪', [1, 0, 1, 0])]),
  unit(4, 'Engineering', [1, 1, 1, 1]),
];

test('only units whose ancestors are expanded are rows, with their level and place among siblings', () => {
  assert.deepEqual(
    visibleRows(tree, new Set()).map((row) => [row.unit.id, row.level, row.expanded]),
    [
      [1, 1, false],
      [4, 1, false],
    ],
  );
  const rows = visibleRows(tree, new Set([1, 4]));
  assert.deepEqual(
    rows.map((row) => [row.unit.id, row.level, row.parentId, row.position, row.siblings, row.expanded]),
    [
      [1, 1, null, 1, 2, true],
      [2, 2, 1, 1, 2, false],
      [3, 2, 1, 2, 2, false],
      [4, 1, null, 2, 2, false],
    ],
    'a unit without children is never "expanded"',
  );
});

test('the tree opens with the top level and the way to the selected unit', () => {
  assert.deepEqual([...initialExpanded(tree, null)], [1]);
  assert.deepEqual(
    pathTo(tree, 3).map((u) => u.id),
    [1, 3],
  );
  assert.deepEqual(pathTo(tree, 99), []);
  assert.deepEqual(
    [
      ...initialExpanded(
        [unit(1, 'a', [0, 0, 0, 0], [unit(2, 'b', [0, 0, 0, 0], [unit(5, 'c', [0, 0, 0, 0])])])],
        5,
      ),
    ],
    [1, 2],
  );
});

test('a live count replaces the unit’s own and moves its ancestors’ totals by the difference', () => {
  const live = withLiveOnline(tree, 2, 2);
  const [sales, engineering] = live;
  assert.equal(sales?.totalOnline, 2);
  assert.equal(sales?.children[0]?.online, 2);
  assert.equal(sales?.children[0]?.totalOnline, 2);
  assert.equal(sales?.children[1], tree[0]?.children[1], 'units off the path are kept as they were');
  assert.equal(engineering, tree[1]);
  assert.equal(withLiveOnline(tree, 2, 1), tree, 'nothing changed: the same tree');
  assert.equal(withLiveOnline(tree, 2, 0)[0]?.totalOnline, 0);
});

test('tree keys: arrows move, expand and collapse; Left goes to the parent; Enter selects', () => {
  const rows = visibleRows(tree, new Set([1]));
  assert.deepEqual(treeKey(rows, 0, 'ArrowDown'), { kind: 'focus', index: 1 });
  assert.deepEqual(treeKey(rows, 3, 'ArrowDown'), { kind: 'none' });
  assert.deepEqual(treeKey(rows, 0, 'ArrowUp'), { kind: 'none' });
  assert.deepEqual(
    treeKey(rows, 0, 'ArrowRight'),
    { kind: 'focus', index: 1 },
    'expanded: into the first child',
  );
  assert.deepEqual(treeKey(rows, 0, 'ArrowLeft'), { kind: 'collapse', unitId: 1 });
  assert.deepEqual(treeKey(rows, 2, 'ArrowLeft'), { kind: 'focus', index: 0 });
  assert.deepEqual(treeKey(rows, 2, 'ArrowRight'), { kind: 'none' }, 'a leaf');
  assert.deepEqual(treeKey(visibleRows(tree, new Set()), 0, 'ArrowRight'), { kind: 'expand', unitId: 1 });
  assert.deepEqual(treeKey(rows, 1, 'End'), { kind: 'focus', index: 3 });
  assert.deepEqual(treeKey(rows, 3, 'Home'), { kind: 'focus', index: 0 });
  assert.deepEqual(treeKey(rows, 1, 'Enter'), { kind: 'select', unitId: 2 });
  assert.deepEqual(treeKey(rows, 1, ' '), { kind: 'select', unitId: 2 });
});

test('org routes: a unit, a member beside their unit, a card alone; junk is ignored', () => {
  assert.deepEqual(parseOrgRoute([]), { unitId: null, personId: null });
  assert.deepEqual(parseOrgRoute(['unit', '12']), { unitId: 12, personId: null });
  assert.deepEqual(parseOrgRoute(['unit', '12', 'person', '7']), { unitId: 12, personId: 7 });
  assert.deepEqual(parseOrgRoute(['person', '7']), { unitId: null, personId: 7 });
  assert.deepEqual(parseOrgRoute(['unit', 'x', 'person', '7']), { unitId: null, personId: null });
  assert.deepEqual(parseOrgRoute(['unit', '0']), { unitId: null, personId: null });
  assert.deepEqual(personRoute({ id: 7, unitId: 12 }), ['org', 'unit', 12, 'person', 7]);
  assert.deepEqual(personRoute({ id: 7, unitId: null }), ['org', 'person', 7]);
});
