import { readFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { isCooError } from '../errors.ts';
import { HelpRequested, hoistDataOption, UsageError } from './args.ts';
import type { Command, CommandEntry } from './command.ts';
import { print, printError } from './output.ts';

/** Exit codes: sysexits.h's EX_SOFTWARE for bugs, 2 for a command line of the wrong shape. */
export const ExitCode = { ok: 0, failure: 1, usage: 2, internal: 70 } as const;

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'create a data dir: config, database, certificate, first admin',
    load: async () => (await import('./commands/init.ts')).initCommand,
  },
  {
    name: 'serve',
    summary: 'run the server (initialises ./data on the first run)',
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  {
    name: 'user',
    summary: 'add, list, show and change users',
    load: async () => (await import('./commands/user.ts')).userCommand,
  },
  {
    name: 'org',
    summary: 'edit the org chart: add, move, rename, remove, hide and list units',
    load: async () => (await import('./commands/org.ts')).orgCommand,
  },
  {
    name: 'domain',
    summary: 'add, list and remove mail domains and aliases; set the default',
    load: async () => (await import('./commands/domain.ts')).domainCommand,
  },
  {
    name: 'dns',
    summary: 'print the DNS records to publish for mail (MX, SPF, DKIM, DMARC, SRV)',
    load: async () => (await import('./commands/dns.ts')).dnsCommand,
  },
  {
    name: 'queue',
    summary: 'list, retry and delete outbound mail waiting in the queue',
    load: async () => (await import('./commands/queue.ts')).queueCommand,
  },
  {
    name: 'group',
    summary: 'add and remove groups and their members',
    load: async () => (await import('./commands/group.ts')).groupCommand,
  },
  {
    name: 'rule',
    summary: 'visibility rules: who may see and message whom; the mode; check',
    load: async () => (await import('./commands/rule.ts')).ruleCommand,
  },
  {
    name: 'mail',
    summary: "a user's mail forwarding and delivery rules (block, file, auto-reply)",
    load: async () => (await import('./commands/mail.ts')).mailCommand,
  },
  {
    name: 'token',
    summary: 'create, list and revoke REST API tokens',
    load: async () => (await import('./commands/token.ts')).tokenCommand,
  },
  {
    name: 'bot',
    summary: 'add, list and remove bots of the integration API',
    load: async () => (await import('./commands/bot.ts')).botCommand,
  },
  {
    name: 'import',
    summary: 'create and update users from a CSV file (all or nothing)',
    load: async () => (await import('./commands/import-export.ts')).importCommand,
  },
  {
    name: 'export',
    summary: 'write every user to a CSV file',
    load: async () => (await import('./commands/import-export.ts')).exportCommand,
  },
  {
    name: 'audit',
    summary: 'verify and list the audit log',
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
  {
    name: 'settings',
    summary: 'show and change run-time settings (the messenger login policy…)',
    load: async () => (await import('./commands/settings.ts')).settingsCommand,
  },
  {
    name: 'tls',
    summary: 'show the TLS certificate, or install a new one (no restart needed)',
    load: async () => (await import('./commands/tls.ts')).tlsCommand,
  },
  {
    name: 'config',
    summary: 'check the configuration file',
    load: async () => (await import('./commands/config.ts')).configCommand,
  },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function generalUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: coo COMMAND [--data DIR] ...

Coo: one self-hosted server for a company's messenger and mail.

Commands:
${commands}

Every command works on the data dir given with --data (default ./data), also
while "coo serve" runs on it.
"coo COMMAND --help" shows the usage of one command; "coo --version" the version.`;
}

function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((command) => command.name === name);
}

async function usageOf(topic: string): Promise<string> {
  const entry = findCommand(topic);
  return entry ? (await entry.load()).usage : generalUsage();
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = hoistDataOption(argv);
  switch (name) {
    case undefined:
      printError(generalUsage());
      return ExitCode.usage;
    case '--help':
    case '-h':
      print(generalUsage());
      return ExitCode.ok;
    case 'help': {
      const topic = rest[0];
      if (topic !== undefined && !findCommand(topic))
        throw new UsageError('', `help: unknown command "${topic}"`);
      print(topic === undefined ? generalUsage() : await usageOf(topic));
      return ExitCode.ok;
    }
    case '--version':
    case '-V':
    case 'version':
      print(`coo ${version()}`);
      return ExitCode.ok;
    default: {
      const entry = findCommand(name);
      if (!entry) {
        throw new UsageError(
          '',
          name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`,
        );
      }
      const command: Command = await entry.load();
      return command.run(rest);
    }
  }
}

/** Turns what a command threw into its message and exit code. */
async function report(error: unknown): Promise<number> {
  if (error instanceof HelpRequested) {
    print(await usageOf(error.topic));
    return ExitCode.ok;
  }
  if (error instanceof UsageError) {
    printError(`coo: ${error.message}`);
    printError(`see coo ${error.topic ? `${error.topic} ` : ''}--help`);
    return ExitCode.usage;
  }
  if (isCooError(error)) {
    printError(`coo: ${error.message}`);
    return ExitCode.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`coo: internal error: ${message}`);
  if (process.env.COO_DEBUG && error instanceof Error && error.stack) printError(error.stack);
  else printError('(run again with COO_DEBUG=1 for the stack trace)');
  return ExitCode.internal;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    return await report(error);
  }
}

if (import.meta.main) {
  // Each command is a short-lived process that loads most of the code base:
  // caching the compiled modules (in the OS temp dir) halves its start-up.
  enableCompileCache();
  // `coo user list | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // Flush stdout, then exit even if some library left a handle open.
  process.stdout.write('', () => process.exit(code));
}
