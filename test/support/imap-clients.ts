/**
 * Real IMAP clients for the end-to-end tests, beside the server harness in
 * test/support/imap.ts, and what those tests need around them:
 *
 *   const client = await connectImapFlow(server, { address, password?, startTls? })
 *       imapflow, logged in: over imaps verifying server.ca, or over 143 with
 *       STARTTLS required (secure: false, doSTARTTLS: true); quiet (no logger)
 *   const mbsync = mbsyncSetup(server, address)  a temp dir with an mbsync config
 *       (IMAPS with the server's CA, a Maildir store, Patterns *, Sync All,
 *       Create Both, Expunge Both): mbsync.configFile, mbsync.maildir, mbsync.remove()
 *   await runMbsync(configFile) → { code, stdout, stderr } of `mbsync -c configFile -a`
 *   const mail = await startMailServer({ database? })  a full server with smtp,
 *       pop3, pop3s, imap and imaps on 127.0.0.1:0, all over one event bus (the
 *       IMAP harness keeps smtp and pop3 off): for IDLE on mail delivered over SMTP
 *       and for POP3 deletions seen by IMAP
 *   await smtpDeliver(mail, to, message)  one message over SMTP to the smtp listener
 *   meetingMessage(), threadMail({...}): fixtures
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { ListenAddress } from '../../src/config/schema.ts';
import type { Services } from '../../src/services.ts';
import { startImServer } from './im-server.ts';
import { DOMAIN, PASSWORD, type ImapTestServer } from './imap.ts';
import { RawSmtp } from './smtp-inbound.ts';

type ImapAddresses = Pick<ImapTestServer, 'imap' | 'imaps' | 'ca'>;

/** imapflow logged in as `address`; the caller logs out. */
export async function connectImapFlow(
  server: ImapAddresses,
  options: { address: string; password?: string; startTls?: boolean },
): Promise<ImapFlow> {
  const listener = options.startTls ? server.imap : server.imaps;
  const client = new ImapFlow({
    host: listener.host,
    port: listener.port,
    secure: !options.startTls,
    doSTARTTLS: options.startTls ? true : undefined,
    auth: { user: options.address, pass: options.password ?? PASSWORD },
    tls: { ca: server.ca },
    logger: false,
    // The tests call idle() themselves when they want it.
    disableAutoIdle: true,
  });
  // A connection error after the test ended must not crash the run.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export interface MbsyncSetup {
  configFile: string;
  /** The Maildir root: INBOX in `INBOX/`, the other folders beside it. */
  maildir: string;
  remove(): void;
}

/** A temp dir with an mbsync config syncing every folder of `address` both ways (isync 1.4 syntax). */
export function mbsyncSetup(server: ImapAddresses, address: string, password = PASSWORD): MbsyncSetup {
  const dir = mkdtempSync(path.join(tmpdir(), 'coo-mbsync-'));
  const caFile = path.join(dir, 'ca.pem');
  const maildir = path.join(dir, 'mail');
  const configFile = path.join(dir, 'mbsyncrc');
  writeFileSync(caFile, server.ca);
  // mbsync creates the folders, not the store's root.
  mkdirSync(maildir);
  writeFileSync(
    configFile,
    [
      'IMAPAccount coo',
      `Host ${server.imaps.host}`,
      `Port ${server.imaps.port}`,
      `User ${address}`,
      `Pass "${password}"`,
      'SSLType IMAPS',
      `CertificateFile ${caFile}`,
      '',
      'IMAPStore coo-remote',
      'Account coo',
      '',
      'MaildirStore coo-local',
      `Path ${maildir}/`,
      `Inbox ${maildir}/INBOX`,
      'SubFolders Verbatim',
      '',
      'Channel coo',
      'Far :coo-remote:',
      'Near :coo-local:',
      'Patterns *',
      'Sync All',
      'Create Both',
      'Expunge Both',
      'SyncState *',
      '',
    ].join('\n'),
  );
  return { configFile, maildir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `mbsync -c configFile -a` (Debian's isync, installed by scripts/ensure-mbsync.sh). */
export function runMbsync(configFile: string, timeoutMs = 30_000): Promise<ProcessResult> {
  const child = spawn('/usr/bin/mbsync', ['-c', configFile, '-a'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mbsync did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface MailServer extends ImapAddresses {
  services: Services;
  smtp: ListenAddress;
  pop3: ListenAddress;
  pop3s: ListenAddress;
  createUser(localPart: string): Promise<{ id: number; address: string; password: string }>;
  logLines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A whole server (see the comment at the top of this file); the messenger's harness starts it. */
export async function startMailServer(
  options: { database?: 'sqlite' | 'postgres' } = {},
): Promise<MailServer> {
  const server = await startImServer({ database: options.database, mail: true });
  const address = (name: 'smtp' | 'imap' | 'imaps' | 'pop3' | 'pop3s'): ListenAddress => {
    const bound = server.server.address(name);
    if (!bound) throw new Error(`the ${name} listener did not start`);
    return bound;
  };
  return {
    services: server.services,
    ca: server.ca,
    imap: address('imap'),
    imaps: address('imaps'),
    smtp: address('smtp'),
    pop3: address('pop3'),
    pop3s: address('pop3s'),
    createUser: async (localPart) => {
      const user = await server.createUser(localPart, { password: PASSWORD });
      return { id: user.id, address: user.address, password: user.password };
    },
    logLines: () => server.logLines(),
    stop: () => server.stop(),
  };
}

/** Delivers one message over SMTP (plaintext on loopback, as a LAN's relay would); throws unless it was taken. */
export async function smtpDeliver(
  server: Pick<MailServer, 'smtp'>,
  to: string,
  message: Buffer,
): Promise<void> {
  const smtp = await RawSmtp.connect(server.smtp.port);
  try {
    const steps = ['EHLO client.example.net', 'MAIL FROM:<alice@example.net>', `RCPT TO:<${to}>`];
    for (const step of steps) {
      const reply = await smtp.command(step);
      if (reply.code !== 250) throw new Error(`${step}: ${reply.lines.join(' / ')}`);
    }
    const data = await smtp.command('DATA');
    if (data.code !== 354) throw new Error(`DATA: ${data.lines.join(' / ')}`);
    const done = await smtp.data(message);
    if (done.code !== 250) throw new Error(`end of DATA: ${done.lines.join(' / ')}`);
    await smtp.command('QUIT');
  } finally {
    smtp.destroy();
  }
}

/** Bytes of a base64 part: control characters and NUL (so BINARY answers with literal8), no 8-bit. */
export const ATTACHMENT = Buffer.concat([
  Buffer.from([0, 1, 2, 3, 9, 27, 31, 127]),
  Buffer.from('Coo attachment\r\n'),
]);

/**
 * 「会議の資料」 from 鈴木: a multipart/mixed message with ISO-2022-JP header
 * words (RFC 2047 B), a Shift_JIS 8bit text part (十 is 0x8F 0x5C: a
 * backslash octet inside a character) and a base64 attachment.
 */
export function meetingMessage(): Buffer {
  // 明日の会議は十時からです。資料を添付します。 in Shift_JIS (computed once with python3's codec).
  const shiftJis = Buffer.from(
    '96be93fa82cc89ef8b6382cd8f5c8e9e82a982e782c582b781428e9197bf82f09359957482b582dc82b78142',
    'hex',
  );
  const head = (lines: string[]) => Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'latin1');
  return Buffer.concat([
    head([
      'From: =?ISO-2022-JP?B?GyRCTmtMWhsoQg==?= <suzuki@example.net>',
      `To: taro@${DOMAIN}`,
      'Subject: =?ISO-2022-JP?B?GyRCMnE1RCROO3FOQRsoQg==?=',
      'Message-ID: <meeting-1@example.net>',
      'Date: Thu, 9 Jan 2025 11:00:00 +0900',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="coo-boundary-1"',
      '',
      '--coo-boundary-1',
      'Content-Type: text/plain; charset=Shift_JIS',
      'Content-Transfer-Encoding: 8bit',
      '',
    ]),
    shiftJis,
    head([
      '',
      '--coo-boundary-1',
      'Content-Type: application/octet-stream; name="data.bin"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="data.bin"',
      '',
      ATTACHMENT.toString('base64'),
      '--coo-boundary-1--',
    ]),
  ]);
}

/** A short ASCII message with the threading and sorting headers under the test's control. */
export function threadMail(fields: {
  subject: string;
  date: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  body?: string;
}): Buffer {
  const lines = [
    'From: Hanako <hanako@example.net>',
    `To: taro@${DOMAIN}`,
    `Subject: ${fields.subject}`,
    `Date: ${fields.date}`,
    `Message-ID: <${fields.messageId}>`,
  ];
  if (fields.inReplyTo) lines.push(`In-Reply-To: <${fields.inReplyTo}>`);
  if (fields.references) lines.push(`References: ${fields.references.map((id) => `<${id}>`).join(' ')}`);
  lines.push(
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    fields.body ?? fields.subject,
    '',
  );
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
