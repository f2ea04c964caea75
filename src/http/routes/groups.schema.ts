import { z } from 'zod';
import type { ApiGroup } from '../../protocol/admin-api.ts';
import { addressSchema, LIMITS } from './common.schema.ts';

export const groupSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    members: z.number().int().describe('How many users are in the group'),
  })
  .meta({ id: 'Group' }) satisfies z.ZodType<ApiGroup>;

export const groupListSchema = z.object({ groups: z.array(groupSchema) });

const groupName = z.string().trim().min(1).max(LIMITS.groupName);

export const groupParams = z.object({ name: groupName });
export const groupMemberParams = z.object({ name: groupName, address: addressSchema });

export const createGroupBody = z.strictObject({
  name: groupName.describe('Letters, digits, space, ".", "_" and "-"'),
  description: z.string().max(LIMITS.description).default(''),
});

export const updateGroupBody = z
  .strictObject({
    name: groupName.optional().describe('The new name (letters, digits, space, ".", "_" and "-")'),
    description: z.string().max(LIMITS.description).optional(),
  })
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'give a new name, a description or both',
  });

export const addMemberBody = z.strictObject({ address: addressSchema });

export const memberListSchema = z.object({ members: z.array(z.string()).describe('Addresses, in order') });
