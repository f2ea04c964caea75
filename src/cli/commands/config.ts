import { loadConfig } from '../../config/loader.ts';
import { dispatch, parseCommand } from '../args.ts';
import type { Command } from '../command.ts';
import { print } from '../output.ts';

const usage = `Usage: coo config check [--data DIR]

  config check
      Reads DIR/coo.toml and checks every value; a problem is reported with
      the file and the key, e.g. "[listen] http". Exit 0 and "ok: FILE" when
      the configuration is valid.

--data DIR: the data dir (default ./data).`;

const TOPIC = 'config';

async function check(args: string[]): Promise<number> {
  const { values } = parseCommand({ topic: TOPIC, command: 'config check', args, options: {} });
  const loaded = loadConfig(values.data);
  print(`ok: ${loaded.file}`);
  return 0;
}

export const configCommand: Command = {
  usage,
  run: (args) => dispatch(TOPIC, args, { check }),
};
