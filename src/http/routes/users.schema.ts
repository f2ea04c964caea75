import { z } from 'zod';
import type { User } from '../../directory/types.ts';
import type { ApiUser, ApiUserList } from '../../protocol/admin-api.ts';
import {
  addressSchema,
  isoTime,
  isoTimeSchema,
  LIMITS,
  queryFlag,
  validityDateSchema,
} from './common.schema.ts';

export const userSchema = z
  .object({
    address: z.string(),
    displayName: z.string(),
    nameReading: z.string(),
    title: z.string(),
    phone: z.string(),
    unit: z.string().nullable().describe('Org unit path such as "Sales/Tokyo"; null when in no unit'),
    isAdmin: z.boolean(),
    disabled: z.boolean(),
    validFrom: isoTimeSchema.nullable(),
    validUntil: isoTimeSchema.nullable(),
    quotaBytes: z.number().int().nullable().describe('null: the server default; 0: no limit'),
    hasPassword: z.boolean(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .meta({ id: 'User' }) satisfies z.ZodType<ApiUser>;

export const userListSchema = z.object({
  users: z.array(userSchema),
  limit: z.number().int(),
  offset: z.number().int(),
}) satisfies z.ZodType<ApiUserList>;

const text = z.string().max(LIMITS.text);

/** The fields an admin may set, on creation and in a PATCH; undefined leaves a field as it is. */
const editable = {
  displayName: z.string().trim().min(1).max(LIMITS.text),
  nameReading: text.optional().describe('How the name is read (kana for Japanese names)'),
  title: text.optional(),
  phone: text.optional(),
  unit: z.string().max(LIMITS.unitPath).nullable().optional().describe('Org unit path; null: no unit'),
  isAdmin: z.boolean().optional(),
  validFrom: validityDateSchema.optional(),
  validUntil: validityDateSchema
    .optional()
    .describe('YYYY-MM-DD (valid through that day) or a date-time; null: no end'),
  quotaBytes: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .nullable()
    .optional()
    .describe('Bytes; null: the server default; 0: no limit'),
};

export const createUserBody = z
  .strictObject({
    address: addressSchema,
    ...editable,
    password: z
      .string()
      .min(1)
      .max(LIMITS.password)
      .optional()
      .describe('Without one the user cannot log in until a password is set'),
  })
  .meta({ id: 'NewUser' });

export const updateUserBody = z
  .strictObject({ ...editable, displayName: editable.displayName.optional() })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'give at least one field to change',
  })
  .meta({ id: 'UserChanges' });

export const setPasswordBody = z.strictObject({ password: z.string().min(1).max(LIMITS.password) });

export const listUsersQuery = z.object({
  search: z.string().max(LIMITS.search).optional().describe('Matches address, name, reading, title or phone'),
  unit: z.string().max(LIMITS.unitPath).optional().describe('Only users in this org unit'),
  recursive: queryFlag.default(false).describe('With unit: include its sub-units'),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

export function toApiUser(user: User): ApiUser {
  return {
    address: user.address,
    displayName: user.displayName,
    nameReading: user.nameReading,
    title: user.title,
    phone: user.phone,
    unit: user.unit,
    isAdmin: user.isAdmin,
    disabled: user.disabled,
    validFrom: isoTime(user.validFrom),
    validUntil: isoTime(user.validUntil),
    quotaBytes: user.quotaBytes,
    hasPassword: user.hasPassword,
    createdAt: isoTime(user.createdAt),
    updatedAt: isoTime(user.updatedAt),
  };
}
