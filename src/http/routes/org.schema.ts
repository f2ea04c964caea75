import { z } from 'zod';
import type { OrgUnit } from '../../directory/types.ts';
import type { ApiOrgUnit } from '../../protocol/admin-api.ts';
import { LIMITS } from './common.schema.ts';

export const orgUnitSchema: z.ZodType<ApiOrgUnit> = z
  .object({
    name: z.string(),
    path: z.string().describe('Names from the top, joined by "/"'),
    position: z.number().int().describe('Order among siblings, from 0'),
    members: z.number().int().describe('Users directly in this unit'),
    children: z.lazy(() => z.array(orgUnitSchema)),
  })
  .meta({ id: 'OrgUnit' });

export const orgTreeSchema = z.object({
  units: z.array(orgUnitSchema).describe('The top-level units, in order'),
});

const unitPath = z.string().min(1).max(LIMITS.unitPath).describe('Unit path such as "Sales/Tokyo"');

export const unitPathResult = z.object({ path: z.string() });

export const createUnitBody = z.strictObject({
  path: unitPath,
  parents: z.boolean().default(false).describe('Create missing parent units too (like mkdir -p)'),
});

export const renameUnitBody = z.strictObject({
  path: unitPath,
  name: z.string().min(1).max(LIMITS.unitName).describe('The new name (the last part of the path)'),
});

export const moveUnitBody = z.strictObject({
  path: unitPath,
  parent: unitPath.nullable().describe('The new parent unit; null: the top level'),
  position: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe('Place among the new siblings, from 0; default last'),
});

export const unitWildcardParams = z.object({ '*': unitPath });

export function toApiOrgUnit(unit: OrgUnit): ApiOrgUnit {
  return {
    name: unit.name,
    path: unit.path,
    position: unit.position,
    members: unit.members,
    children: unit.children.map(toApiOrgUnit),
  };
}
