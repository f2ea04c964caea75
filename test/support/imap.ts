/**
 * Test harness for IMAP: a REAL `coo` server (startServer over a fresh data
 * dir, imap and imaps on 127.0.0.1:0, every other listener off), messages
 * put into a user's mailboxes through the store and the server's blob store,
 * a raw client for byte-exact and malformed exchanges, and python3's imaplib
 * as the real client.
 *
 *   const server = await startImapServer({ database?, allowPlaintextOnLoopback? })
 *   server.imap / server.imaps   { host, port } of the listeners
 *   server.ca                    the server's certificate (PEM), to verify TLS
 *   await server.createUser('taro') → { id, address, password }
 *   await server.setQuota(address, bytes | null | 0)   the user's quota (null: the default, 0: none)
 *   await server.deliver(userId, bytes, mailbox = 'INBOX', { flags?, internalDate? })
 *                                → { uid, size, sha256, mailboxId } (appended as delivery would)
 *   await server.mailbox(userId, name)   the mailbox's row, or undefined
 *   await server.messages(userId, name)  its messages in the store, in UID order
 *   server.logLines()            the server's log lines, parsed
 *   await server.stop()
 *
 *   const client = await RawImapClient.connect(server, { tls: true | false })
 *   await client.line()          the next line (the greeting first)
 *   await client.command('a1 SELECT INBOX') → every response up to and including the tagged one
 *                                (a response with literals is one string, the literals inside)
 *   client.write(bytes), await client.startTls(), await client.closed, client.destroy()
 *   await RawImapClient.login(server, address)   connected over TLS, greeted and logged in
 *
 *   await imaplib(server, script, { user?, password? }) → the JSON of `result`: the script runs
 *     after a prelude that defines cfg, connect(tls=True) (IMAP4_SSL verifying server.ca, or
 *     IMAP4 + starttls), login(tls=True) → a logged-in IMAP4, attempt(M.method, *args) → its reply,
 *     or ['EXC', [message]] when imaplib raised (a BAD), and text(value) (bytes → str, tuples →
 *     lists, recursively; applied to `result` anyway)
 *
 *   plainMessage(index), japaneseMessage(), japaneseUtf8Message(): fixtures
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ListenAddress } from '../../src/config/schema.ts';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import { ensureDefaultMailboxes, findMailbox, type MailboxRow } from '../../src/store/mailboxes.ts';
import {
  DOMAIN,
  harnessOf,
  PASSWORD,
  startMailTestServer,
  type MailTestHarness,
  type MailTestServer,
  type MailTestUser,
} from './mail-test-server.ts';
import { caFile, runPython } from './python.ts';
import { connectRaw, RawClient } from './raw-client.ts';

export { DOMAIN, PASSWORD };
export type { DeliverOptions } from './mail-test-server.ts';

export interface ImapServerOptions {
  database?: 'sqlite' | 'postgres';
  /** [imap] allow_plaintext_on_loopback. */
  allowPlaintextOnLoopback?: boolean;
}

export interface ImapTestServer extends MailTestHarness, Pick<MailTestServer, 'deliver' | 'messages'> {
  imap: ListenAddress;
  imaps: ListenAddress;
  /** A user at DOMAIN with PASSWORD and the default mailboxes. */
  createUser: (localPart: string) => Promise<MailTestUser>;
  setQuota(address: string, bytes: number | null): Promise<void>;
  mailbox(userId: number, name: string): Promise<MailboxRow | undefined>;
}

export async function startImapServer(options: ImapServerOptions = {}): Promise<ImapTestServer> {
  const base = await startMailTestServer({
    prefix: 'coo-imap-',
    database: options.database,
    listeners: ['imap', 'imaps'],
    editConfig: (configFile) => editConfig(configFile, options),
  });
  try {
    const { services } = base;
    const { db } = services.store;
    return {
      ...harnessOf(base),
      imap: base.address('imap'),
      imaps: base.address('imaps'),
      createUser: async (localPart) => {
        const user = await base.createUser(localPart);
        await ensureDefaultMailboxes(db, user.id, Date.now());
        return user;
      },
      setQuota: async (address, bytes) => {
        await services.directory.users.update(address, { quotaBytes: bytes }, CLI_ACTOR);
      },
      deliver: base.deliver,
      mailbox: (userId, name) => findMailbox(db, userId, name),
      messages: base.messages,
    };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

function editConfig(configFile: string, options: ImapServerOptions): void {
  if (options.allowPlaintextOnLoopback === undefined) return;
  const text = readFileSync(configFile, 'utf8');
  // The [imap] section's own line: [pop3] has a key of the same name.
  const pattern = /(^\[imap\]\n(?:#.*\n)*)allow_plaintext_on_loopback = \w+$/m;
  if (!pattern.test(text)) throw new Error('coo.toml has no [imap] allow_plaintext_on_loopback line');
  writeFileSync(
    configFile,
    text.replace(pattern, `$1allow_plaintext_on_loopback = ${options.allowPlaintextOnLoopback}`),
  );
}

/** An IMAP client that sends exactly what it is told and hands back what the server wrote. */
export class RawImapClient extends RawClient {
  static async connect(
    server: Pick<ImapTestServer, 'imap' | 'imaps' | 'ca'>,
    options: { tls: boolean },
  ): Promise<RawImapClient> {
    const address = options.tls ? server.imaps : server.imap;
    return new RawImapClient(await connectRaw(address, server.ca, options.tls), server.ca);
  }

  /** Connected over TLS, greeting read, LOGIN done (throws unless it succeeded). */
  static async login(
    server: Pick<ImapTestServer, 'imap' | 'imaps' | 'ca'>,
    address: string,
    password = PASSWORD,
  ): Promise<RawImapClient> {
    const client = await RawImapClient.connect(server, { tls: true });
    const greeting = await client.line();
    if (!greeting.startsWith('* OK')) throw new Error(`unexpected greeting: ${greeting}`);
    const reply = await client.command(`login LOGIN ${address} "${password}"`);
    if (!reply.at(-1)?.startsWith('login OK')) throw new Error(`LOGIN failed: ${reply.join(' / ')}`);
    return client;
  }

  /** One whole response: a line, and when it ends in {n}, the n octets and the rest, as one string. */
  response(timeoutMs = 5000): Promise<string> {
    return this.take((buffer) => {
      let at = 0;
      for (;;) {
        const end = buffer.indexOf('\r\n', at);
        if (end === -1) return undefined;
        const literal = /\{(\d+)\+?\}$/.exec(buffer.subarray(at, end).toString('latin1'));
        if (!literal) return [buffer.subarray(0, end).toString('utf8'), end + 2];
        at = end + 2 + Number(literal[1]);
        if (buffer.length < at) return undefined;
      }
    }, timeoutMs);
  }

  /** Sends a tagged command; resolves with every response up to and including the tagged one. */
  async command(text: string, timeoutMs = 5000): Promise<string[]> {
    const tag = text.slice(0, text.indexOf(' '));
    this.write(`${text}\r\n`);
    const responses: string[] = [];
    for (;;) {
      const response = await this.response(timeoutMs);
      responses.push(response);
      if (response.startsWith(`${tag} `)) return responses;
    }
  }

  /** STARTTLS, then the TLS handshake over the same connection; resolves with the tagged reply. */
  async startTls(tag = 'tls'): Promise<string> {
    const replies = await this.command(`${tag} STARTTLS`);
    const reply = replies.at(-1) ?? '';
    if (!reply.startsWith(`${tag} OK`)) return reply;
    await this.upgradeToTls();
    return reply;
  }
}

const IMAPLIB_PRELUDE = String.raw`
import base64, imaplib, json, ssl, sys
cfg = json.load(sys.stdin)
ctx = ssl.create_default_context(cafile=cfg['ca'])
def connect(tls=True):
    if tls:
        return imaplib.IMAP4_SSL('127.0.0.1', cfg['imaps'], ssl_context=ctx, timeout=15)
    conn = imaplib.IMAP4('127.0.0.1', cfg['imap'], timeout=15)
    conn.starttls(ssl_context=ctx)
    return conn
def login(tls=True, user=None):
    conn = connect(tls)
    conn.login(user or cfg['user'], cfg['password'])
    return conn
def attempt(call, *args):
    try:
        return call(*args)
    except imaplib.IMAP4.error as error:
        return ['EXC', [str(error)]]
def text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    if isinstance(value, (list, tuple)):
        return [text(item) for item in value]
    if isinstance(value, dict):
        return {key: text(item) for key, item in value.items()}
    return value
result = None
`;

const IMAPLIB_EPILOGUE = String.raw`
print(json.dumps(text(result)))
`;

/** Runs a python3 imaplib script (see the comment at the top of this file); resolves with its `result`. */
export async function imaplib(
  server: Pick<ImapTestServer, 'imap' | 'imaps' | 'ca'>,
  script: string,
  options: { user?: string; password?: string } = {},
): Promise<unknown> {
  const body = script
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n');
  const { code, stdout, stderr } = await runPython(
    `${IMAPLIB_PRELUDE}\n${dedent(body)}\n${IMAPLIB_EPILOGUE}`,
    {
      ca: caFile(server.ca),
      imap: server.imap.port,
      imaps: server.imaps.port,
      user: options.user ?? '',
      password: options.password ?? PASSWORD,
    },
  );
  if (code !== 0) throw new Error(`python3 imaplib script failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as unknown;
}

/** Removes the indentation every non-empty line shares, so scripts can be written indented in a template. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}

/** A short ASCII message; `index` makes its Subject, Message-ID and body its own. */
export function plainMessage(index: number): Buffer {
  return Buffer.from(
    [
      'From: Alice Sender <alice@example.net>',
      `To: someone@${DOMAIN}`,
      `Subject: plain message ${index}`,
      `Message-ID: <plain-${index}@example.net>`,
      'Date: Mon, 6 Jan 2025 09:30:00 +0900',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `This is plain message number ${index}.`,
      'It has two lines.',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

/** 「予定の確認」 from 山田: ISO-2022-JP header words (RFC 2047 B) and a 7bit ISO-2022-JP body. */
export function japaneseMessage(): Buffer {
  const iso2022jp = (text: string) => Buffer.from(text, 'latin1');
  const esc = '\x1b';
  return Buffer.concat([
    Buffer.from(
      [
        // "=?ISO-2022-JP?B?...?=": 山田 and 予定の確認, ESC $ B … ESC ( B inside the base64.
        `From: =?ISO-2022-JP?B?${iso2022jp(`${esc}$B;3ED${esc}(B`).toString('base64')}?= <yamada@example.net>`,
        `To: taro@${DOMAIN}`,
        `Subject: =?ISO-2022-JP?B?${iso2022jp(`${esc}$BM=Dj$N3NG'${esc}(B`).toString('base64')}?=`,
        'Message-ID: <jp-1@example.net>',
        'Date: Tue, 7 Jan 2025 10:00:00 +0900',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=ISO-2022-JP',
        'Content-Transfer-Encoding: 7bit',
        '',
        '',
      ].join('\r\n'),
      'latin1',
    ),
    // 明日の会議は十時からです。
    iso2022jp(`${esc}$BL@F|$N2q5D$O==;~$+$i$G$9!#${esc}(B\r\n`),
  ]);
}

/** The same kind of message in UTF-8: 8bit body, RFC 2047 UTF-8 header words. */
export function japaneseUtf8Message(): Buffer {
  const word = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
  return Buffer.from(
    [
      `From: ${word('佐藤')} <sato@example.net>`,
      `To: taro@${DOMAIN}`,
      `Subject: ${word('週報のお知らせ')}`,
      'Message-ID: <jp-utf8-1@example.net>',
      'Date: Wed, 8 Jan 2025 18:00:00 +0900',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '今週の週報を共有します。',
      '',
    ].join('\r\n'),
    'utf8',
  );
}
