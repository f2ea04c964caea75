import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buffer } from 'node:stream/consumers';
import iconv from 'iconv-lite';
import { configuredBlobStore } from '../src/blob/blob-store.ts';
import { detectCharset, headerBlockAsUtf8 } from '../src/mail/message/japanese.ts';
import { parseMessage, summarizeHeader } from '../src/mail/message/summary.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';
import { RawSmtp } from './support/smtp-inbound.ts';

/**
 * Japanese mail as real mail programs send it: ISO-2022-JP (7-bit JIS, the
 * traditional charset of Japanese mail), Shift_JIS and EUC-JP, with RFC
 * 2047 encoded words in the headers, and some with raw 8-bit headers.
 * Samples are encoded with iconv-lite (mailparser's decoder); ISO-2022-JP,
 * which iconv-lite does not write, is made from EUC-JP: JIS X 0208 is the
 * same two bytes with the high bit cleared, between ESC $ B and ESC ( B.
 */
const SUBJECT = '来週の会議について（ご確認ください）';
const NAME = '山田太郎';
const BODY = 'お疲れさまです。\n来週の会議は水曜日の午後三時からです。\n資料は共有フォルダにあります。\n';

type Charset = 'ISO-2022-JP' | 'Shift_JIS' | 'EUC-JP';
const CHARSETS: Charset[] = ['ISO-2022-JP', 'Shift_JIS', 'EUC-JP'];

function encode(textValue: string, charset: Charset): Buffer {
  if (charset !== 'ISO-2022-JP') return iconv.encode(textValue, charset);
  const euc = iconv.encode(textValue, 'EUC-JP');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const byte = euc[i] ?? 0;
    if (byte >= 0xa1) {
      if (!kanji) out.push(0x1b, 0x24, 0x42);
      kanji = true;
      out.push(byte & 0x7f, (euc[++i] ?? 0) & 0x7f);
    } else {
      if (kanji) out.push(0x1b, 0x28, 0x42);
      kanji = false;
      out.push(byte);
    }
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

function encodedWord(value: string, charset: Charset): string {
  return `=?${charset}?B?${encode(value, charset).toString('base64')}?=`;
}

/** A message as a Japanese mail program writes it: encoded words in the header, the body in the charset. */
function japaneseMessage(charset: Charset, to: string, options: { rawHeaders?: boolean } = {}): Buffer {
  const subject = options.rawHeaders ? encode(SUBJECT, charset) : Buffer.from(encodedWord(SUBJECT, charset));
  const from = options.rawHeaders ? encode(NAME, charset) : Buffer.from(encodedWord(NAME, charset));
  const body = encode(BODY.replace(/\n/g, '\r\n'), charset);
  return Buffer.concat([
    Buffer.from('From: '),
    from,
    Buffer.from(` <taro@sender.example>\r\nTo: ${to}\r\nSubject: `),
    subject,
    Buffer.from(
      `\r\nMessage-ID: <${charset}.${Date.now()}@sender.example>\r\nMIME-Version: 1.0\r\n` +
        `Content-Type: text/plain; charset=${charset}\r\n` +
        `Content-Transfer-Encoding: ${charset === 'ISO-2022-JP' ? '7bit' : '8bit'}\r\n\r\n`,
    ),
    body,
  ]);
}

describe('Japanese charsets: headers and bodies decoded, messages kept byte for byte', () => {
  for (const charset of CHARSETS) {
    test(`${charset}: RFC 2047 Subject and From name, and the body, are decoded`, async () => {
      const message = japaneseMessage(charset, 'hanako@example.com');
      const summary = await summarizeHeader(message);
      assert.equal(summary.subject, SUBJECT);
      assert.equal(summary.fromName, NAME);
      assert.equal(summary.fromAddress, 'taro@sender.example');
      const parsed = await parseMessage(message);
      assert.equal(parsed.text?.replace(/\r\n/g, '\n'), BODY);
    });

    test(`${charset}: raw (unencoded) header bytes are recognised and decoded`, async () => {
      const message = japaneseMessage(charset, 'hanako@example.com', { rawHeaders: true });
      const summary = await summarizeHeader(message);
      assert.equal(summary.subject, SUBJECT);
      assert.equal(summary.fromName, NAME);
      assert.equal((await parseMessage(message)).subject, SUBJECT);
    });
  }

  test('charset detection tells the three apart, and leaves ASCII and UTF-8 alone', () => {
    assert.equal(detectCharset(encode(SUBJECT, 'ISO-2022-JP')), 'iso-2022-jp');
    assert.equal(detectCharset(encode(SUBJECT, 'Shift_JIS')), 'shift_jis');
    assert.equal(detectCharset(encode(SUBJECT, 'EUC-JP')), 'euc-jp');
    assert.equal(detectCharset(Buffer.from('plain ascii')), 'us-ascii');
    assert.equal(detectCharset(Buffer.from(SUBJECT, 'utf8')), 'utf-8');
    const ascii = Buffer.from('Subject: hello\r\nFrom: a@b.example\r\n\r\n');
    assert.equal(headerBlockAsUtf8(ascii), ascii, 'an ASCII header block is used as it is');
  });
});

describe('Japanese mail over SMTP', () => {
  let server: ImTestServer;
  let hanako: TestUser;

  before(async () => {
    server = await startImServer({ mail: true });
    hanako = await server.createUser('hanako', { name: '佐藤花子' });
  });
  after(() => server.stop());

  for (const charset of CHARSETS) {
    test(`a ${charset} message is stored byte for byte and listed with its decoded subject and sender`, async () => {
      const message = japaneseMessage(charset, hanako.address, { rawHeaders: charset === 'Shift_JIS' });
      const raw = await RawSmtp.connect(server.mailPort('smtp'));
      await raw.command('EHLO client.example.net');
      assert.equal((await raw.command('MAIL FROM:<taro@sender.example> BODY=8BITMIME')).code, 250);
      assert.equal((await raw.command(`RCPT TO:<${hanako.address}>`)).code, 250);
      assert.equal((await raw.command('DATA')).code, 354);
      assert.equal((await raw.data(message)).code, 250);
      await raw.command('QUIT');

      const inbox = await findMailbox(server.services.store.db, hanako.id, 'INBOX');
      assert.ok(inbox);
      const row = (await listMessages(server.services.store.db, inbox.id)).find((r) =>
        r.message_id.startsWith(`${charset}.`),
      );
      assert.ok(row, 'the message is in the INBOX');
      assert.equal(row.subject, SUBJECT);
      assert.equal(row.from_address, 'taro@sender.example');
      const blobs = configuredBlobStore(server.services.config, server.services.store.db);
      const stored = await buffer(await blobs.get(row.blob_sha256));
      assert.ok(
        stored.subarray(stored.length - message.length).equals(message),
        'the original bytes, unchanged',
      );
      assert.equal((await parseMessage(stored)).text?.replace(/\r\n/g, '\n'), BODY);
    });
  }
});
