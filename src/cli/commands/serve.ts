import { existsSync } from 'node:fs';
import { configPath } from '../../config/loader.ts';
import { CooError, isCooError } from '../../errors.ts';
import { defaultDomain, initDataDir, type InitResult } from '../../init.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { startServer, type RunningServer } from '../../server.ts';
import { parseCommand } from '../args.ts';
import type { Command } from '../command.ts';
import { printError } from '../output.ts';
import { localUrl, printCredentials } from './init.ts';

/** How long SIGTERM waits for open connections before giving up on them. */
const DRAIN_TIMEOUT_MS = 30_000;

const usage = `Usage: coo serve [--data DIR] [--listen NAME=HOST:PORT]...

Starts every configured listener in one process. On the first run (no
coo.toml in DIR) it first initialises DIR with this machine's domain, an
administrator admin@DOMAIN and a generated password, and prints them.
SIGTERM or SIGINT drains open connections and exits 0.

Options:
  --data DIR              the data dir (default ./data)
  --listen NAME=HOST:PORT override a listener for this run, or NAME=off;
                          repeatable (http smtp submission submissions imap
                          imaps pop3 pop3s)`;

export const serveCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseCommand({
      topic: 'serve',
      command: 'serve',
      args,
      options: { listen: { type: 'string', multiple: true } },
    });
    const dataDir = values.data;
    // Listen from the start: a SIGTERM during start-up stops the server as soon as it is up.
    const stopSignal = nextSignal();
    const firstRun = existsSync(configPath(dataDir)) ? undefined : await initialise(dataDir);
    let server: RunningServer;
    try {
      server = await start(dataDir, values.listen ?? []);
    } catch (error) {
      // The data dir is made and its password exists nowhere else: show it even so.
      if (firstRun) printFirstRunBanner(firstRun, undefined);
      throw error;
    }
    if (firstRun) printFirstRunBanner(firstRun, server);
    // Signal listeners do not keep Node running; with every listener off nothing else would.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await stopSignal;
    process.once('SIGTERM', forceStop).once('SIGINT', forceStop);
    const drained = await closeWithin(server, DRAIN_TIMEOUT_MS);
    clearInterval(keepAlive);
    if (!drained) {
      printError(`coo: connections did not drain within ${DRAIN_TIMEOUT_MS / 1000} s; stopped anyway`);
      return 1;
    }
    return 0;
  },
};

async function initialise(dataDir: string): Promise<InitResult> {
  const { domain, hostname } = defaultDomain();
  try {
    return await initDataDir({ dataDir, domain, admin: `admin@${domain}`, hostname });
  } catch (error) {
    if (isCooError(error) && error.code === ErrorCode.INVALID_ADDRESS) {
      throw new CooError(
        error.code,
        `${error.message} (from this machine's name); choose one with "coo init --data ${dataDir} --domain DOMAIN --admin ADDRESS"`,
      );
    }
    throw error;
  }
}

/** Start-up failures (a port in use, unreadable certificate) are the admin's to fix: one line, exit 1. */
async function start(dataDir: string, listen: string[]): Promise<RunningServer> {
  try {
    return await startServer({ dataDir, listen });
  } catch (error) {
    if (isCooError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CooError(ErrorCode.INTERNAL, `cannot start: ${message}`);
  }
}

function printFirstRunBanner(init: InitResult, server: RunningServer | undefined): void {
  const http = server ? server.address('http') : init.listen.get('http');
  const rule = '='.repeat(72);
  const lines = [
    rule,
    server
      ? `Coo is running. This was the first run: ${init.dataDir} was initialised.`
      : `${init.dataDir} was initialised, but the server did not start (see below).`,
    '',
  ];
  printCredentials(init.hostname, http, init.admin, init.generatedPassword, (line) =>
    lines.push(`  ${line}`),
  );
  if (http && server) lines.push(`  On this machine: ${localUrl(http)}`);
  lines.push(
    '',
    'The TLS certificate is self-signed: browsers warn once. Change the password',
    `with "coo user passwd ${init.admin} --password-stdin".`,
    rule,
  );
  for (const line of lines) printError(line);
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on).off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on).on('SIGINT', on);
  });
}

function forceStop(signal: NodeJS.Signals): void {
  printError(`coo: ${signal} again: stopping without draining`);
  process.exit(1);
}

async function closeWithin(server: RunningServer, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([server.close().then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
