import assert from 'node:assert/strict';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { simpleParser, type AddressObject } from 'mailparser';
import { bodyOffset, headerFields } from './header-block.ts';
import { headerBlockAsUtf8 } from './japanese.ts';
import { PARSE_OPTIONS, summarizeHeader, type MessageSummary } from './summary.ts';

/** The fields of a summary that are decoded as mailparser decodes them. */
type Decoded = Pick<
  MessageSummary,
  'subject' | 'fromAddress' | 'fromName' | 'recipients' | 'messageId' | 'date'
>;

/**
 * The reference: those fields read from mailparser's own parse of the same
 * header block (raw Japanese bytes made UTF-8 first, as summarizeHeader
 * does). mailparser gives the time of parsing for a Date it cannot read,
 * where a summary says undefined: a date inside the parse window is that.
 */
async function mailparserReading(message: Buffer): Promise<Decoded> {
  const offset = bodyOffset(message);
  const header = offset === -1 ? message : message.subarray(0, offset);
  const before = Date.now();
  const parsed = await simpleParser(headerBlockAsUtf8(header, headerFields(header)), PARSE_OPTIONS);
  const after = Date.now();
  const from = parsed.from?.value.find((entry) => entry.address);
  const date = parsed.date?.getTime();
  return {
    subject: (parsed.subject ?? '').trim(),
    fromAddress: from?.address?.toLowerCase() ?? '',
    fromName: from?.name ?? '',
    recipients: [...addressesOf(parsed.to), ...addressesOf(parsed.cc)],
    messageId: (parsed.messageId ?? '').trim().replace(/^<|>$/g, ''),
    date: date === undefined || Number.isNaN(date) || (date >= before && date <= after) ? undefined : date,
  };
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return objects.flatMap((object) =>
    object.value.flatMap((entry) =>
      [entry.address, ...(entry.group ?? []).map((member) => member.address)]
        .filter((address): address is string => address !== undefined && address !== '')
        .map((address) => address.toLowerCase()),
    ),
  );
}

async function decodedFields(message: Buffer): Promise<Decoded> {
  const { subject, fromAddress, fromName, recipients, messageId, date } = await summarizeHeader(message);
  return { subject, fromAddress, fromName, recipients, messageId, date };
}

/** A message from strings (written as UTF-8) and raw bytes. */
function mail(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}

/** ISO-2022-JP, which iconv-lite does not write: JIS X 0208 is EUC-JP with the high bits cleared. */
function iso2022jp(text: string): Buffer {
  const euc = iconv.encode(text, 'EUC-JP');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const byte = euc[i] ?? 0;
    const double = byte >= 0xa1;
    if (double && !kanji) out.push(0x1b, 0x24, 0x42);
    if (!double && kanji) out.push(0x1b, 0x28, 0x42);
    kanji = double;
    if (double) out.push(byte & 0x7f, (euc[++i] ?? 0) & 0x7f);
    else out.push(byte);
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

const BODY = 'Hello,\r\n\r\nthe minutes are attached.\r\n';

const PLAIN = mail(
  'Return-Path: <alice@sender.example>\r\n',
  'Delivered-To: Taro@Example.com\r\n',
  'Received: from mx.sender.example (mx.sender.example [192.0.2.1])\r\n',
  '\tby mx.example.com with ESMTPS id 4Xyz; Tue, 14 Oct 2025 10:15:02 +0900\r\n',
  'Received: from [10.0.0.5] by mx.sender.example; Tue, 14 Oct 2025 10:15:01 +0900\r\n',
  'DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=s1; h=from:to:subject;\r\n',
  '\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AbCdEf\r\n',
  'From: Alice Example <Alice@Sender.Example>\r\n',
  'To: taro@example.com, Hanako <hanako@example.com>\r\n',
  'Cc: bob@sender.example\r\n',
  'Subject: Minutes of the Tuesday meeting\r\n',
  'Date: Tue, 14 Oct 2025 10:15:00 +0900\r\n',
  'Message-ID: <20251014.101500.1@sender.example>\r\n',
  'List-Id: <team.sender.example>\r\n',
  'MIME-Version: 1.0\r\n',
  'Content-Type: text/plain; charset=utf-8\r\n',
  '\r\n',
  BODY,
);

const UTF8_WORDS = mail(
  'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Example.DE>\r\n',
  'To: =?UTF-8?B?5bGx55Sw?= <yamada@example.com>\r\n',
  'Subject: =?UTF-8?B?5Lya6K2w44Gu44GK55+l44KJ44Gb?=\r\n',
  'Date: Tue, 14 Oct 2025 10:15:00 +0900\r\n\r\n',
  BODY,
);

const ISO_2022_JP_WORDS = mail(
  'From: =?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>\r\n',
  'To: hanako@example.com\r\n',
  'Subject: =?ISO-2022-JP?B?GyRCTWg9NSROMnE1RCRLJEQkJCRGGyhC?=\r\n',
  'Date: Tue, 14 Oct 2025 10:15:00 +0900\r\n\r\n',
  BODY,
);

/** Header bytes in a Japanese charset, unencoded, as older Japanese mail programs send them. */
function rawJapanese(encode: (text: string) => Buffer): Buffer {
  return mail(
    'From: ',
    encode('山田太郎'),
    ' <taro@example.jp>\r\nTo: hanako@example.com\r\nSubject: ',
    encode('見積書の送付'),
    '\r\nDate: Tue, 14 Oct 2025 10:15:00 +0900\r\n\r\n',
    BODY,
  );
}

const CASES: [string, Buffer][] = [
  ['a plain ASCII message', PLAIN],
  ['UTF-8 encoded words, B in Subject and To, Q in the From name', UTF8_WORDS],
  ['ISO-2022-JP B-encoded Subject and From name', ISO_2022_JP_WORDS],
  ['raw Shift_JIS Subject and From name', rawJapanese((text) => iconv.encode(text, 'Shift_JIS'))],
  ['raw EUC-JP Subject and From name', rawJapanese((text) => iconv.encode(text, 'EUC-JP'))],
  ['raw ISO-2022-JP Subject and From name', rawJapanese(iso2022jp)],
  ['a raw UTF-8 Subject', mail('Subject: 会議のお知らせ\r\nFrom: 山田 <yamada@example.jp>\r\n\r\n')],
  [
    'a folded Subject',
    mail(
      'Subject: This is a long subject\r\n  that was folded\r\n\tover three lines  \r\nFrom: a@b.example\r\n\r\n',
    ),
  ],
  [
    'a folded Subject of encoded words',
    mail('Subject: =?UTF-8?B?5Lya6K2w?=\r\n =?UTF-8?B?44Gu44GK55+l44KJ44Gb?=\r\n and more\r\n\r\n'),
  ],
  ['a Subject folded with bare LF', mail('Subject: folded\n with LF\nFrom: a@b.example\n\nbody\n')],
  ['a quoted From display name holding a comma', mail('From: "Yamada, Taro" <Taro@Example.COM>\r\n\r\n')],
  [
    'a From name with an encoded word and a comment',
    mail('From: =?UTF-8?B?5bGx55Sw?= (Sales) <a@b.example>\r\n\r\n'),
  ],
  [
    'group syntax in To',
    mail(
      'To: Project Team: hanako@example.com, "Jiro" <JIRO@Example.com>;, boss@example.com,\r\n',
      ' undisclosed-recipients:;\r\n\r\n',
    ),
  ],
  [
    'several Cc fields',
    mail(
      'To: taro@example.com\r\nCc: a@x.example, B@Y.example\r\nSubject: s\r\n',
      'Cc: "C" <c@z.example>,\r\n d@z.example\r\nTo: second-to@example.com\r\n\r\n',
    ),
  ],
  ['no From, Subject or Date', mail('To: taro@example.com\r\nX-Mailer: test\r\n\r\n', BODY)],
  ['an unparseable Date', mail('Date: the day after tomorrow\r\nSubject: s\r\n\r\n')],
  ['an empty Date', mail('Date:\r\nDate: Tue, 14 Oct 2025 10:15:00 +0900\r\n\r\n')],
  ['a Date with a US timezone name', mail('Date: Tue, 14 Oct 2025 10:15:00 EST\r\n\r\n')],
  ['a Date with the JST timezone name', mail('Date: Tue, 14 Oct 2025 10:15:00 JST\r\n\r\n')],
  ['a Date with a comment', mail('Date: Tue, 14 Oct 2025 10:15:00 +0000 (UTC)\r\n\r\n')],
  ['a Message-ID in angle brackets', mail('Message-ID: <abc.123@example.com>\r\n\r\n')],
  ['a Message-ID without angle brackets', mail('Message-ID: abc.123@example.com\r\n\r\n')],
  ['a Message-ID with one bracket', mail('Message-ID: <abc.123@example.com\r\n\r\n')],
  ['an empty Message-ID before another', mail('Message-ID:\r\nMessage-ID: <second@example.com>\r\n\r\n')],
  ['duplicate Subject fields', mail('Subject: first\r\nSubject: second\r\n\r\n')],
  ['an empty Subject before another', mail('Subject:  \r\nSubject: second\r\n\r\n')],
  ['duplicate From fields', mail('From: first@example.com\r\nFrom: Second <second@example.com>\r\n\r\n')],
  ['a From holding only a group', mail('From: Team: a@example.com;\r\nSubject: s\r\n\r\n')],
  [
    'field names in another case and with blanks',
    mail('SUBJECT : upper\r\nfrom:\tX <x@example.com>\r\n\r\n'),
  ],
  [
    'no empty line before the body',
    mail('From: a@b.example\r\nSubject: no body separator\r\nDate: Tue, 14 Oct 2025 10:15:00 +0900'),
  ],
  ['empty input', Buffer.alloc(0)],
  ['only an empty line', mail('\r\nSubject: this is body\r\n')],
  ['a first line that reads as an mbox preamble', mail('From : a@b.example\r\nSubject: s\r\n\r\n')],
  [
    'an mbox From_ line',
    mail('From alice@sender.example Tue Oct 14 10:15:00 2025\r\nFrom: alice@sender.example\r\n\r\n'),
  ],
  [
    'encoded words in addresses',
    mail(
      'From: Bob <=?utf-8?B?Ym9iQGV4YW1wbGUuY29t?=>\r\n',
      'To: x <=?utf-8?Q?Ann?=@example.com>, y <=?utf-8?Q?a_b?=@example.com>, c@d.example\r\n\r\n',
    ),
  ],
  ['an IDNA domain', mail('From: user@xn--bcher-kva.example\r\nTo: Taro@XN--BCHER-KVA.example\r\n\r\n')],
  ['a UTF-7 encoded word', mail('Subject: =?UTF-7?Q?+ADw-script+AD4-?=\r\n\r\n')],
  ['an unknown charset in an encoded word', mail('Subject: =?x-unknown?Q?caf=C3=A9?=\r\n\r\n')],
];

for (const [name, message] of CASES) {
  test(`reads ${name} as mailparser does`, async () => {
    assert.deepEqual(await decodedFields(message), await mailparserReading(message));
  });
}

test('Japanese Subject and From name come out decoded, encoded or raw', async () => {
  const encoded = await summarizeHeader(ISO_2022_JP_WORDS);
  assert.equal(encoded.subject, '来週の会議について');
  assert.equal(encoded.fromName, '山田太郎');
  assert.equal(encoded.fromAddress, 'taro@example.jp');
  for (const encode of [
    (text: string) => iconv.encode(text, 'Shift_JIS'),
    (text: string) => iconv.encode(text, 'EUC-JP'),
    iso2022jp,
  ]) {
    const raw = await summarizeHeader(rawJapanese(encode));
    assert.equal(raw.subject, '見積書の送付');
    assert.equal(raw.fromName, '山田太郎');
    assert.equal(raw.fromAddress, 'taro@example.jp');
  }
  const utf8 = await summarizeHeader(UTF8_WORDS);
  assert.equal(utf8.subject, '会議のお知らせ');
  assert.equal(utf8.fromName, 'Jürgen Müller');
});

test('a plain message is summarised field by field', async () => {
  assert.deepEqual(await summarizeHeader(PLAIN), {
    subject: 'Minutes of the Tuesday meeting',
    fromAddress: 'alice@sender.example',
    fromName: 'Alice Example',
    recipients: ['taro@example.com', 'hanako@example.com', 'bob@sender.example'],
    messageId: '20251014.101500.1@sender.example',
    date: Date.UTC(2025, 9, 14, 1, 15, 0),
    autoSubmitted: '',
    precedence: '',
    fromList: true,
    deliveredTo: ['taro@example.com'],
    receivedCount: 2,
  });
});

test('the first Subject, From, Date and Message-ID count; every To and Cc does', async () => {
  const summary = await summarizeHeader(
    mail(
      'Subject:\r\nSubject: =?UTF-8?B?5Lya6K2w?=\r\nSubject: third\r\n',
      'From: "Yamada, Taro" <Taro@Example.COM>\r\nFrom: other@example.com\r\n',
      'Message-ID: abc@example.com\r\nMessage-ID: <other@example.com>\r\n',
      'To: Team: a@example.com, B@example.com;\r\nCc: c@example.com\r\nTo: d@example.com\r\n\r\n',
    ),
  );
  assert.equal(summary.subject, '会議');
  assert.equal(summary.fromAddress, 'taro@example.com');
  assert.equal(summary.fromName, 'Yamada, Taro');
  assert.equal(summary.messageId, 'abc@example.com');
  assert.deepEqual(summary.recipients, ['a@example.com', 'b@example.com', 'd@example.com', 'c@example.com']);
});

test('a Date that cannot be read, or a missing one, is undefined', async () => {
  assert.equal((await summarizeHeader(mail('Date: the day after tomorrow\r\n\r\n'))).date, undefined);
  assert.equal((await summarizeHeader(mail('Date: Tue, 14 Oct 2025 10:15:00 JST\r\n\r\n'))).date, undefined);
  assert.equal((await summarizeHeader(mail('Subject: s\r\n\r\n'))).date, undefined);
  const est = await summarizeHeader(mail('Date: Tue, 14 Oct 2025 10:15:00 EST\r\n\r\n'));
  assert.equal(est.date, Date.UTC(2025, 9, 14, 15, 15, 0));
});

test('a raw UTF-8 value whose last byte is 0xA0 keeps its last character', async () => {
  // "だ" is E3 81 A0 and "à" C3 A0: mailparser trims that byte as a no-break space and reads U+FFFD.
  const summary = await summarizeHeader(mail('Subject: 今日は雨だ \r\nFrom: Voilà <v@example.com>\r\n\r\n'));
  assert.equal(summary.subject, '今日は雨だ');
  assert.equal(summary.fromName, 'Voilà');
});

test('a domain spaced around its dots is read whole (RFC 5322 §4.4 obs-domain)', async () => {
  // The project's nodemailer reads this as one domain; the older copy inside
  // mailparser stops at the blank and reads user@victim.example.
  const summary = await summarizeHeader(mail('From: user@victim.example .allowed.example\r\n\r\n'));
  assert.equal(summary.fromAddress, 'user@victim.example.allowed.example');
});
