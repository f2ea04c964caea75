import type { CoreServices } from '../../src/services.ts';
import { CLI_ACTOR, type Actor } from '../../src/directory/types.ts';

export const TEST_ACTOR: Actor = { name: 'tester@example.com', protocol: 'test', remote: '192.0.2.1' };

/** The people of one small company, under a prefix so several tests share one database. */
export const PEOPLE = ['sales', 'tokyo', 'tokyo2', 'dev', 'exec', 'board', 'admin', 'nounit'] as const;
export type Person = (typeof PEOPLE)[number];

export interface World {
  prefix: string;
  unit(name: 'Sales' | 'Sales/Tokyo' | 'Dev' | 'Exec' | 'Exec/Board'): string;
  group: string;
  id(person: Person): number;
  address(person: Person): string;
  see(a: Person, b: Person): Promise<boolean>;
  message(a: Person, b: Person): Promise<boolean>;
}

/**
 * Units Sales, Sales/Tokyo, Dev, Exec, Exec/Board; users sales (Sales), tokyo
 * and tokyo2 (Sales/Tokyo), dev (Dev), exec (Exec), board (Exec/Board),
 * admin (Dev, an administrator), nounit (in no unit); group Project: dev and tokyo.
 */
export async function buildWorld(services: CoreServices, prefix: string): Promise<World> {
  const { directory } = services;
  if (!(await directory.domains.list()).some((d) => d.name === 'example.com')) {
    await directory.domains.add('example.com', CLI_ACTOR);
  }
  const unit = (name: string) => `${prefix}${name}`;
  await directory.org.add(unit('Sales/Tokyo'), CLI_ACTOR, { createParents: true });
  await directory.org.add(unit('Dev'), CLI_ACTOR);
  await directory.org.add(unit('Exec/Board'), CLI_ACTOR, { createParents: true });
  const unitOf: Record<Person, string | null> = {
    sales: unit('Sales'),
    tokyo: unit('Sales/Tokyo'),
    tokyo2: unit('Sales/Tokyo'),
    dev: unit('Dev'),
    exec: unit('Exec'),
    board: unit('Exec/Board'),
    admin: unit('Dev'),
    nounit: null,
  };
  const ids = new Map<Person, number>();
  const address = (person: Person) => `${prefix}${person}@example.com`;
  for (const person of PEOPLE) {
    const user = await directory.users.create(
      address(person),
      { displayName: person, unit: unitOf[person], isAdmin: person === 'admin' },
      CLI_ACTOR,
    );
    ids.set(person, user.id);
  }
  const group = `${prefix}Project`;
  await directory.groups.add(group, '', CLI_ACTOR);
  await directory.groups.addMember(group, address('dev'), CLI_ACTOR);
  await directory.groups.addMember(group, address('tokyo'), CLI_ACTOR);
  services.visibility.invalidate();
  const id = (person: Person) => {
    const found = ids.get(person);
    if (found === undefined) throw new Error(`no ${person}`);
    return found;
  };
  return {
    prefix,
    unit,
    group,
    id,
    address,
    see: (a, b) => services.visibility.canSee(id(a), id(b)),
    message: (a, b) => services.visibility.canMessage(id(a), id(b)),
  };
}

/** Back to the defaults: no rules, nothing hidden, mode open. */
export async function resetVisibility(services: CoreServices): Promise<void> {
  const admin = services.visibility.admin;
  const overview = await admin.overview();
  for (const rule of overview.rules) await admin.removeRule(rule.id, TEST_ACTOR);
  for (const path of overview.hiddenUnits) await admin.unhide(path, TEST_ACTOR);
  await admin.setMode('open', TEST_ACTOR);
}
