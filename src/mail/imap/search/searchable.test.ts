import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstMailbox } from './address.ts';
import { decodeEncodedWords } from './charset.ts';
import { MimeTextLimits } from './mime-text.ts';
import { foldForSearch, searchableContent } from './searchable.ts';
import { dayNumber } from './sent-date.ts';
import {
  buildMail,
  encodedWord,
  eucJp,
  iso2022Jp,
  japaneseMails,
  PDF_BASE64,
  PDF_MARKER,
  shiftJis,
} from './test-mails.ts';

const mails = japaneseMails();

test('an ISO-2022-JP encoded-word Subject and From name are decoded', () => {
  const content = searchableContent(mails.meeting);
  assert.equal(content.subject, '会議の件');
  assert.deepEqual(content.headers.get('subject'), ['会議の件']);
  assert.deepEqual(content.from, { name: '山田 太郎', mailbox: 'yamada', host: 'example.jp' });
  assert.deepEqual(content.headers.get('from'), ['山田 太郎 <Yamada@Example.JP>']);
  assert.deepEqual(content.cc, { name: 'Suzuki, Ichiro', mailbox: 'suzuki', host: 'example.jp' });
  assert.equal(content.bodyText.trim(), '明日の会議は十時からです。');
});

test('raw Shift_JIS header bytes are decoded, and a Shift_JIS body beside a PDF attachment', () => {
  const content = searchableContent(mails.estimate);
  assert.equal(content.subject, '見積書の送付');
  assert.deepEqual(content.from, { name: '佐藤花子', mailbox: 'sato', host: 'example.jp' });
  assert.ok(content.bodyText.includes('お見積もりを添付いたします。'));
  assert.ok(!content.bodyText.includes(PDF_MARKER), 'the PDF bytes are not text');
  assert.ok(!content.bodyText.includes(foldForSearch(PDF_BASE64.slice(0, 12))), 'nor is its base64');
});

test('raw UTF-8 (RFC 6532) and raw EUC-JP header bytes are decoded too', () => {
  const raw = buildMail(
    [
      'Subject: 来週の予定',
      Buffer.concat([Buffer.from('From: '), eucJp('高橋'), Buffer.from(' <takahashi@example.jp>')]),
      Buffer.concat([Buffer.from('X-Note: '), iso2022Jp('生のJIS')]),
    ],
    '',
  );
  const content = searchableContent(raw);
  assert.equal(content.subject, '来週の予定');
  assert.equal(content.from?.name, '高橋');
  assert.deepEqual(content.headers.get('x-note'), ['生のJIS']);
});

test('the parts of a multipart/digest are messages unless they say otherwise', () => {
  const raw = buildMail(
    ['Content-Type: multipart/digest; boundary=d'],
    '--d\r\n\r\nSubject: digest entry\r\n\r\nentry body\r\n--d--\r\n',
  );
  assert.equal(searchableContent(raw).bodyText, 'subject: digest entry\nentry body');
});

test('an EUC-JP body with a quoted charset parameter is decoded', () => {
  const content = searchableContent(mails.newProduct);
  assert.equal(content.bodyText.trim(), '新製品のカタログをお送りします。');
});

test('a base64 UTF-8 body is decoded and folded: full-width letters and half-width katakana', () => {
  const content = searchableContent(mails.report);
  assert.equal(content.bodyText.trim(), '全角のabc社と半角のカタカナを含む報告書です。');
});

test('a quoted-printable body with a soft break inside a character, and a stray =3D', () => {
  const content = searchableContent(mails.invoice);
  assert.equal(content.bodyText.trim(), '請求書の確認をお願いします = done');
  assert.equal(content.subject, '請求書');
});

test('alternative HTML is skipped beside plain text; an attached message gives its header and body', () => {
  const content = searchableContent(mails.forwarded);
  assert.ok(!content.bodyText.includes('html-only-class'));
  assert.equal(content.bodyText.split('転送します。').length, 2, 'the text once, not twice');
  assert.ok(content.bodyText.includes('subject: 元の件名'));
  assert.ok(content.bodyText.includes('元の本文です。'));
});

test('an HTML-only body is searched as text: tags, scripts and comments out, entities decoded', () => {
  const raw = buildMail(
    ['Content-Type: text/html; charset=Shift_JIS'],
    Buffer.concat([
      Buffer.from(
        '<html><head><style>p{color:red}</style><script>var secret=1</script></head><body><!-- note -->',
      ),
      shiftJis('<p>お知らせ&amp;ご案内&#x3042;&#12356;&unknown;</p>'),
      Buffer.from('</body></html>'),
    ]),
  );
  const text = searchableContent(raw).bodyText;
  assert.ok(text.includes('お知らせ&ご案内あい&unknown;'), text);
  for (const hidden of ['color', 'secret', 'note', '<p>']) assert.ok(!text.includes(hidden), hidden);
});

test('RFC 5256 base subject: Re:, Fwd: and [list] prefixes stripped; a reply is marked', () => {
  const content = searchableContent(mails.newProduct);
  assert.equal(content.subject, 'Re: Fwd: [list] 新製品の案内');
  assert.equal(content.baseSubject, '新製品の案内');
  assert.equal(content.isReplyOrForward, true);
  assert.equal(searchableContent(mails.meeting).isReplyOrForward, false);
  assert.equal(searchableContent(mails.report).baseSubject, 'quarterly report');
});

test('the Date header gives the instant and the day as written, obsolete forms included', () => {
  const meeting = searchableContent(mails.meeting);
  assert.equal(meeting.sentDate, Date.UTC(2025, 3, 6, 15, 10));
  assert.equal(
    meeting.sentDay,
    dayNumber('2025-04-07'),
    'the sender wrote the 7th, though it was the 6th in UTC',
  );
  // "11 Apr 25 08:00 JST": two-digit year, no seconds, a zone name.
  const forwarded = searchableContent(mails.forwarded);
  assert.equal(forwarded.sentDate, Date.UTC(2025, 3, 10, 23, 0));
  assert.equal(forwarded.sentDay, dayNumber('2025-04-11'));
  const invoice = searchableContent(mails.invoice);
  assert.equal(invoice.sentDate, null);
  assert.equal(invoice.sentDay, null);
  const junk = searchableContent(buildMail(['Date: sometime last week'], ''));
  assert.equal(junk.sentDate, null);
});

test('Message-ID, In-Reply-To and References lose their brackets; a bare Message-ID is kept', () => {
  const raw = buildMail(
    [
      'Message-ID: <a1@example.jp>',
      'In-Reply-To: <p1@example.jp> (sent by Taro)',
      'References: <r1@example.jp>',
      '  <r2@example.jp><p1@example.jp>',
    ],
    '',
  );
  const content = searchableContent(raw);
  assert.equal(content.messageId, 'a1@example.jp');
  assert.deepEqual(content.inReplyTo, ['p1@example.jp']);
  assert.deepEqual(content.references, ['r1@example.jp', 'r2@example.jp', 'p1@example.jp']);
  assert.equal(
    searchableContent(buildMail(['Message-ID: bare@example.jp'], '')).messageId,
    'bare@example.jp',
  );
  assert.equal(searchableContent(buildMail(['Subject: none'], '')).messageId, null);
});

test('a charset the label gets wrong, or does not name, is guessed', () => {
  const lying = buildMail(['Content-Type: text/plain; charset=iso-2022-jp'], shiftJis('実はシフトJISです'));
  assert.equal(searchableContent(lying).bodyText, foldForSearch('実はシフトJISです'));
  const unnamed = buildMail(['Content-Type: text/plain'], eucJp('文字コード指定なし'));
  assert.equal(searchableContent(unnamed).bodyText, '文字コード指定なし');
  const unknown = buildMail(
    ['Content-Type: text/plain; charset=x-no-such-charset'],
    shiftJis('不明な文字コード'),
  );
  assert.equal(searchableContent(unknown).bodyText, '不明な文字コード');
  const latin = buildMail(['Content-Type: text/plain; charset=iso-8859-1'], Buffer.from('caf\xe9', 'latin1'));
  assert.equal(searchableContent(latin).bodyText, 'café');
});

test('RFC 2047: adjacent words are joined, ISO-2022-JP and split UTF-8 characters included', () => {
  const first = iso2022Jp('会議');
  const second = iso2022Jp('の件');
  assert.equal(
    decodeEncodedWords(`${encodedWord('ISO-2022-JP', first)} ${encodedWord('iso-2022-jp', second)}`),
    '会議の件',
  );
  const bytes = Buffer.from('会議', 'utf8');
  const split = `${encodedWord('UTF-8', bytes.subarray(0, 4))}\r\n ${encodedWord('UTF-8', bytes.subarray(4))}`;
  assert.equal(decodeEncodedWords(split), '会議');
  assert.equal(decodeEncodedWords('a =?utf-8?q?x_y=3F?= b'), 'a x y? b');
  assert.equal(decodeEncodedWords('=?UTF-8*ja?B?5Lya6K2w?='), '会議', 'RFC 2231 language tag');
  assert.equal(decodeEncodedWords('=?broken'), '=?broken');
});

test('the first mailbox of address lists in their many forms', () => {
  assert.deepEqual(firstMailbox('"Yamada, Taro" <T.Yamada@Example.JP>, other@example.jp'), {
    name: 'Yamada, Taro',
    mailbox: 't.yamada',
    host: 'example.jp',
  });
  assert.deepEqual(firstMailbox('taro@example.jp (Taro Yamada)'), {
    name: 'Taro Yamada',
    mailbox: 'taro',
    host: 'example.jp',
  });
  assert.deepEqual(firstMailbox('Team: a@example.jp, b@example.jp;'), {
    name: '',
    mailbox: 'a',
    host: 'example.jp',
  });
  assert.equal(firstMailbox('undisclosed-recipients:;'), null);
  assert.equal(firstMailbox(''), null);
  assert.equal(firstMailbox('<>'), null);
  assert.deepEqual(firstMailbox(`"${encodedWord('ISO-2022-JP', iso2022Jp('鈴木'))}" <s@example.jp>`), {
    name: '鈴木',
    mailbox: 's',
    host: 'example.jp',
  });
  // A decoded name holding a comma does not split the address.
  assert.deepEqual(firstMailbox(`${encodedWord('UTF-8', Buffer.from('鈴木, 一郎'))} <s@example.jp>`), {
    name: '鈴木, 一郎',
    mailbox: 's',
    host: 'example.jp',
  });
  assert.deepEqual(firstMailbox('localonly'), { name: '', mailbox: 'localonly', host: '' });
});

test('malformed messages give what can be read and never throw', () => {
  assert.equal(searchableContent(Buffer.alloc(0)).bodyText, '');
  // No header at all: the message starts with the empty line.
  const noHeader = searchableContent(Buffer.from('\r\nSubject: not a field\r\n\r\nbody'));
  assert.equal(noHeader.subject, '');
  assert.equal(noHeader.bodyText, 'subject: not a field\r\n\r\nbody');
  // No empty line: all header.
  const headerOnly = searchableContent(Buffer.from('Subject: only a header\r\nFrom: a@example.jp'));
  assert.equal(headerOnly.subject, 'only a header');
  assert.equal(headerOnly.bodyText, '');
  // A multipart with no boundary parameter, one with no closing delimiter, broken base64.
  assert.equal(searchableContent(buildMail(['Content-Type: multipart/mixed'], 'text\r\n')).bodyText, '');
  const unclosed = buildMail(
    ['Content-Type: multipart/mixed; boundary=b'],
    '--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b\r\n\r\nsecond, unclosed',
  );
  assert.equal(searchableContent(unclosed).bodyText, 'first\nsecond, unclosed');
  const base64 = buildMail(['Content-Transfer-Encoding: base64'], '!!!not base64 at all');
  assert.equal(typeof searchableContent(base64).bodyText, 'string');
  // A longer boundary that begins with the real one is part content, not a delimiter.
  const prefix = buildMail(
    ['Content-Type: multipart/mixed; boundary=ab'],
    '--ab\r\n\r\none\r\n--abc\r\nstill one\r\n--ab--\r\n',
  );
  assert.equal(searchableContent(prefix).bodyText, 'one\r\n--abc\r\nstill one');
});

function nestedMultipart(levels: number): Buffer {
  let body = 'deep text';
  for (let depth = 0; depth < levels; depth++) {
    const type = depth === 0 ? 'text/plain' : `multipart/mixed; boundary=b${depth - 1}`;
    body = `--b${depth}\r\nContent-Type: ${type}\r\n\r\n${body}\r\n--b${depth}--`;
  }
  return buildMail([`Content-Type: multipart/mixed; boundary=b${levels - 1}`], body);
}

test('multiparts nested past the depth limit are not followed', () => {
  assert.equal(searchableContent(nestedMultipart(3)).bodyText, 'deep text');
  assert.equal(searchableContent(nestedMultipart(MimeTextLimits.maxDepth + 5)).bodyText, '');
});

test('body text is capped per message', () => {
  const big = 'あ'.repeat(MimeTextLimits.maxTextChars + 1000);
  const raw = buildMail(['Content-Type: text/plain; charset=utf-8'], big);
  assert.equal(searchableContent(raw).bodyText.length, MimeTextLimits.maxTextChars);
});
