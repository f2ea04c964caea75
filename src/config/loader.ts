import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import {
  configSchema,
  LISTENER_NAMES,
  parseListenAddress,
  type Config,
  type ListenAddress,
  type ListenerName,
} from './schema.ts';

export const CONFIG_FILE = 'coo.toml';

/** A loaded configuration with every path made absolute against the data dir. */
export interface LoadedConfig {
  dataDir: string;
  file: string;
  config: Config;
  paths: { sqlite: string; tlsCert: string; tlsKey: string; blobs: string };
  /** Listeners to start: from the file, then `--listen` overrides; "off" ones left out. */
  listeners: Map<ListenerName, ListenAddress>;
}

export function configPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), CONFIG_FILE);
}

/** Reads DATA/coo.toml; errors name the file, and the key for invalid values. */
export function loadConfig(dataDir: string, listenOverrides: string[] = []): LoadedConfig {
  const file = configPath(dataDir);
  if (!existsSync(file)) {
    throw new CooError(
      ErrorCode.CONFIG_MISSING,
      `${file}: no configuration here; run "coo init --data ${dataDir} --domain DOMAIN --admin ADDRESS" first`,
    );
  }
  return parseConfig(readFileSync(file, 'utf8'), file, listenOverrides);
}

export function parseConfig(text: string, file: string, listenOverrides: string[] = []): LoadedConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    const where = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : '';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CooError(ErrorCode.CONFIG_INVALID, `${file}${where}: not valid TOML: ${message}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CooError(ErrorCode.CONFIG_INVALID, `${file}: ${describeIssue(issue)}`);
  }
  const config = result.data;
  const dataDir = path.dirname(file);
  const listeners = new Map<ListenerName, ListenAddress>();
  for (const name of LISTENER_NAMES) {
    const value = config.listen[name];
    const address = value === undefined || value === 'off' ? undefined : parseListenAddress(value);
    if (address) listeners.set(name, address);
  }
  for (const override of listenOverrides) {
    const [name, address] = parseListenOverride(override);
    if (address) listeners.set(name, address);
    else listeners.delete(name);
  }
  const resolve = (p: string) => path.resolve(dataDir, p);
  return {
    dataDir,
    file,
    config,
    listeners,
    paths: {
      sqlite: resolve(config.database.sqlite),
      tlsCert: resolve(config.tls.cert),
      tlsKey: resolve(config.tls.key),
      blobs: resolve(config.blobs.path),
    },
  };
}

/** Parses one `--listen NAME=HOST:PORT` (or `NAME=off`). */
export function parseListenOverride(text: string): [ListenerName, ListenAddress | undefined] {
  const eq = text.indexOf('=');
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (eq < 0 || !(LISTENER_NAMES as readonly string[]).includes(name)) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `--listen ${text}: expected NAME=HOST:PORT with NAME one of ${LISTENER_NAMES.join(', ')}`,
    );
  }
  if (value === 'off') return [name as ListenerName, undefined];
  const address = parseListenAddress(value);
  if (!address)
    throw new CooError(ErrorCode.INVALID_INPUT, `--listen ${text}: expected HOST:PORT after "${name}="`);
  return [name as ListenerName, address];
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid configuration';
  const keys = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const where = keys.length ? `[${keys.join('.')}] ` : '';
    return `${where}unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const key = keys.pop();
  const section = keys.length ? `[${keys.join('.')}] ` : '';
  return `${section}${key ?? ''}: ${issue.message}`;
}
