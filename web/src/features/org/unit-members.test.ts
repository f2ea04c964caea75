import type { DirectoryPerson, DirectoryUnitPage } from '../../../../src/protocol/im/directory.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersonPresence } from '../presence/presence-registry.ts';
import { UNIT_PAGE, UnitMembersSource } from './unit-members.ts';

function person(id: number): DirectoryPerson {
  return {
    id,
    address: `u${id}@example.com`,
    name: `u${id}`,
    reading: '',
    title: '',
    phone: '',
    unitId: 1,
    state: 'online',
    text: '',
  };
}

class CodedError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

function setup(total: number, options: { watchLimit?: boolean; fail?: boolean } = {}) {
  const asked: string[] = [];
  const adopted: number[] = [];
  const seeded: number[] = [];
  const source = new UnitMembersSource(1, {
    request: async <T>(_t: string, body: Record<string, unknown>) => {
      const offset = body.offset as number;
      asked.push(`${offset}${body.watch ? ' watch' : ''}`);
      if (options.fail) throw new CodedError('INTERNAL');
      if (options.watchLimit && body.watch) throw new CodedError('IM_WATCH_LIMIT');
      const members = Array.from({ length: Math.max(0, Math.min(UNIT_PAGE, total - offset)) }, (_, i) =>
        person(offset + i + 1),
      );
      const page: DirectoryUnitPage = { unit: { id: 1, name: 'U', path: 'U' }, total, offset, members };
      return page as T;
    },
    registry: {
      mark: () => 0,
      adopt: (people: Iterable<PersonPresence>) => adopted.push(...[...people].map((p) => p.id)),
      seed: (people: Iterable<PersonPresence>) => seeded.push(...[...people].map((p) => p.id)),
    },
    codeOf: (error) => (error instanceof CodedError ? error.code : 'INTERNAL'),
  });
  return { source, asked, adopted, seeded };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('a small unit is loaded whole, each page watching its members', async () => {
  const { source, asked, adopted } = setup(450);
  source.ensure(0, 0);
  source.ensure(0, 10);
  await settle();
  assert.deepEqual(asked, ['0 watch', '200 watch', '400 watch']);
  const snapshot = source.get();
  assert.equal(snapshot.complete, true);
  assert.equal(snapshot.loaded.length, 450);
  assert.equal(snapshot.members[449]?.id, 450);
  assert.equal(adopted.length, 450);
});

test('a big unit loads the pages the list scrolls to, once each', async () => {
  const { source, asked } = setup(10_000);
  source.ensure(0, 20);
  await settle();
  assert.deepEqual(asked, ['0 watch']);
  const snapshot = source.get();
  assert.equal(snapshot.complete, false);
  assert.equal(snapshot.members.length, 10_000);
  assert.equal(snapshot.members[5000], undefined, 'not loaded yet');
  source.ensure(5190, 5210);
  source.ensure(5195, 5205);
  await settle();
  assert.deepEqual(asked, ['0 watch', '5000 watch', '5200 watch']);
  assert.equal(source.get().members[5201]?.id, 5202);
  source.ensure(20_000, 20_001);
  await settle();
  assert.equal(asked.length, 3, 'nothing past the end is asked for');
});

test('over the watch limit a page is shown anyway, without watching', async () => {
  const { source, asked, seeded } = setup(10, { watchLimit: true });
  source.ensure(0, 0);
  await settle();
  assert.deepEqual(asked, ['0 watch', '0']);
  assert.equal(source.get().loaded.length, 10);
  assert.equal(seeded.length, 10);
});

test('a failed first page says so, and can be retried', async () => {
  const { source, asked } = setup(10, { fail: true });
  let changes = 0;
  source.subscribe(() => changes++);
  source.ensure(0, 0);
  await settle();
  assert.deepEqual(source.get().head, { kind: 'failed', code: 'INTERNAL' });
  source.retry();
  assert.deepEqual(source.get().head, { kind: 'loading' });
  await settle();
  assert.deepEqual(asked, ['0 watch', '0 watch']);
  assert.equal(changes, 3);
});
