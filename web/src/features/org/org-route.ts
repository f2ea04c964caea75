/**
 * The org page's routes: `#/org`, `#/org/unit/<unitId>`,
 * `#/org/unit/<unitId>/person/<userId>` (a member's card, beside their unit)
 * and `#/org/person/<userId>` (a card on its own, e.g. from a search for
 * someone in no unit). On a phone each is one screen: tree, people, card.
 */
export interface OrgRoute {
  unitId: number | null;
  personId: number | null;
}

function id(segment: string | undefined): number | null {
  if (segment === undefined || !/^[1-9]\d{0,15}$/.test(segment)) return null;
  return Number(segment);
}

/** `route` is what follows `#/org/`. */
export function parseOrgRoute(route: readonly string[]): OrgRoute {
  if (route[0] === 'unit') {
    const unitId = id(route[1]);
    return { unitId, personId: unitId !== null && route[2] === 'person' ? id(route[3]) : null };
  }
  if (route[0] === 'person') return { unitId: null, personId: id(route[1]) };
  return { unitId: null, personId: null };
}

/** The route segments of a person's card, beside their unit when they have one. */
export function personRoute(person: { id: number; unitId: number | null }): Array<string | number> {
  return person.unitId === null
    ? ['org', 'person', person.id]
    : ['org', 'unit', person.unitId, 'person', person.id];
}
