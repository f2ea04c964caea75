import { z } from 'zod';
import { configSchema, formatSize, parseSize, type Config } from '../config/schema.ts';
import { LIMIT_RANGES, type LimitName } from '../protocol/limits.ts';
import type { SettingDefinition } from './setting-definition.ts';

export { LIMIT_NAMES, type LimitName } from '../protocol/limits.ts';

/** A size as bytes or text ("500M", "2GiB": powers of 1024, read by coo.toml's own parser). */
function sizeSchema({ min, max }: { min: number; max: number }): z.ZodType<number> {
  return z.union([z.string().max(40), z.number()]).transform((value, context) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'expected a size such as "500M", "2G" or a number of bytes',
      });
      return z.NEVER;
    }
    if (bytes < min || bytes > max) {
      context.addIssue({ code: 'custom', message: `expected from ${formatSize(min)} to ${formatSize(max)}` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** A whole number, as a number (REST) or digits (CLI); "" is not 0. */
function countSchema({ min, max }: { min: number; max: number }): z.ZodType<number> {
  return z.union([z.string().max(40), z.number()]).transform((value, context) => {
    const count = typeof value === 'number' ? value : /^\d{1,10}$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(count) || count < min || count > max) {
      context.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return count;
  });
}

/** The sections of coo.toml a limit is read from. */
type LimitSections = Pick<Config, 'im' | 'mail' | 'submission'>;

/** coo.toml's built-in defaults, read from its schema so the two never differ. */
const builtIn: LimitSections = {
  im: configSchema.shape.im.parse(undefined),
  mail: configSchema.shape.mail.parse(undefined),
  submission: configSchema.shape.submission.parse(undefined),
};

export type LimitDefinition = SettingDefinition & {
  name: LimitName;
  configDefault: NonNullable<SettingDefinition['configDefault']>;
};

/**
 * A limit that coo.toml also has: its values as LIMIT_RANGES says (a size or
 * a count), stored under its name with underscores, and coo.toml's value as
 * its default.
 */
function limitSetting(definition: {
  name: LimitName;
  description: string;
  /** As the file names it: `[im] max_upload_size`. */
  configKey: string;
  read: (config: LimitSections) => number;
}): LimitDefinition {
  const { name, read } = definition;
  const range = LIMIT_RANGES[name];
  const isSize = range.kind === 'size';
  return {
    name,
    key: name.replaceAll('-', '_'),
    description: definition.description,
    schema: isSize ? sizeSchema(range) : countSchema(range),
    defaultValue: read(builtIn),
    configDefault: { key: definition.configKey, read, format: isSize ? formatSize : String },
  };
}

export const LIMIT_SETTINGS: readonly LimitDefinition[] = [
  limitSetting({
    name: 'im.max-upload-size',
    description:
      'largest file a person may upload in the messenger (a larger one is refused with 413), in bytes or as "500M", "2G"',
    configKey: '[im] max_upload_size',
    read: (c) => c.im.max_upload_size,
  }),
  limitSetting({
    name: 'mail.max-message-size',
    description:
      'largest mail message, inbound (port 25) and from mail apps (587, 465); advertised with SIZE, a larger one gets 552 5.3.4; in bytes or as "25M"',
    configKey: '[mail] max_message_size',
    read: (c) => c.mail.max_message_size,
  }),
  limitSetting({
    name: 'mail.max-messages-per-hour',
    description:
      'messages one person may send from mail apps in any hour; then 450 4.7.1 until the oldest ages out (0: no limit)',
    configKey: '[submission] max_messages_per_hour',
    read: (c) => c.submission.max_messages_per_hour,
  }),
  limitSetting({
    name: 'mail.max-recipients',
    description: 'recipients one message from a mail app may have; more get 452 4.5.3',
    configKey: '[submission] max_recipients',
    read: (c) => c.submission.max_recipients,
  }),
];
