import type { z } from 'zod';
import type { Config } from '../config/schema.ts';

export type SettingScalar = string | number | boolean;

/** One setting an administrator may change at run time. */
export interface SettingDefinition {
  /** The name admins use (CLI, REST): dotted, kebab-case. */
  name: string;
  /** The key in the settings table. */
  key: string;
  description: string;
  /** Checks a value given as text (CLI) or JSON (REST). */
  schema: z.ZodType<SettingScalar>;
  /** The value while the setting was never set (for a limit: coo.toml's built-in default). */
  defaultValue: SettingScalar;
  /**
   * For a limit that coo.toml also has: the file's value is the default while
   * the setting was never set, so an admin who never opens the console keeps
   * what the file says.
   */
  configDefault?: {
    /** As the file names it: `[im] max_upload_size`. */
    key: string;
    read: (config: Config) => number;
    /** The value as the file would write it ("2G"). */
    format: (value: number) => string;
  };
}
