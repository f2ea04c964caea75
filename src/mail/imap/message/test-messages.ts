/**
 * Messages the tests of this folder share: realistic mail as clients and
 * list servers send it, and the broken kinds a server meets every day.
 * Written with "\n" and turned into CRLF unless a test wants bare LF.
 */

/** The text with every LF turned into CRLF, as octets (latin1: one octet per character). */
export function crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');
}

/** The octets of `text` between the first occurrence of `from` and (excluded) the first `to` after it. */
export function between(raw: Buffer, from: string, to?: string): Buffer {
  const text = raw.toString('latin1');
  const start = text.indexOf(from);
  const end = to === undefined ? text.length : text.indexOf(to, start + from.length);
  if (start === -1 || end === -1) throw new Error(`fixture has no ${from} … ${to}`);
  return raw.subarray(start, end);
}

export const PLAIN = crlf(`Return-Path: <taro@example.jp>
Received: from mx.example.jp (mx.example.jp [192.0.2.1])
\tby mail.example.com; Mon, 23 Nov 2026 09:00:01 +0900
Date: Mon, 23 Nov 2026 09:00:00 +0900
From: "Yamada, Taro" <taro@example.jp>
To: Hanako Suzuki <hanako@example.com>, jiro@example.com
Cc: <ops@example.com>
Subject: Meeting notes
 for Monday
Message-ID: <20261123090000.1234@example.jp>
In-Reply-To: <prev@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

Hello Hanako,

The meeting is at 10:00.
--\u0020
Taro
`);

export const ALTERNATIVE = crlf(`From: Shop <news@shop.example>
To: hanako@example.com
Subject: =?UTF-8?B?44K744O844Or?=
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <alt-1@shop.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="==alt=="

This is a multi-part message in MIME format.

--==alt==
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 sale: 50% off =E2=80=94 today only.=20
Long line that is soft=
 broken.\u0020\u0020\u0020
--==alt==
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGI+Q2Fmw6k8L2I+IHNhbGU=
--==alt==--

epilogue text
`);

export const MIXED = crlf(`From: Taro <taro@example.jp>
To: team@example.com
Subject: Fwd: report
Date: Tue, 24 Nov 2026 11:00:00 +0900
Message-ID: <mixed-1@example.jp>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=us-ascii

See attached.
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
 filename*0*=UTF-8''%E5%A0%B1%E5%91%8A;
 filename*1*=%E6%9B%B8.pdf
Content-ID: <pdf1@example.jp>
Content-Description: Quarterly report
Content-Language: ja, en
Content-Location: http://example.jp/report.pdf
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==

JVBERi0xLjQKJcOkw7zDtsOfCg==
--outer
Content-Type: message/rfc822

From: Jiro <jiro@example.com>
To: Taro <taro@example.jp>
Subject: report
Date: Mon, 23 Nov 2026 08:00:00 +0900
Message-ID: <inner-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain

Here is the report.
--inner
Content-Type: image/png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--inner--
--outer--
`);

/** "山田" in an ISO-2022-JP encoded word, "会議" as the subject, body in ISO-2022-JP. */
export const JAPANESE_ENCODED = Buffer.concat([
  crlf(`From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>
To: suzuki@example.jp
Subject: =?ISO-2022-JP?B?GyRCMnE1RBsoQg==?=
Date: Wed, 25 Nov 2026 09:30:00 +0900
Message-ID: <jp-1@example.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

`),
  Buffer.from('GyRCMnE1RCQ3JF4kOSEjGyhC', 'base64'),
  crlf('\n'),
]);

/** Shift_JIS "会議の案内" sent raw in Subject and "鈴木" raw in a display name, as old mailers do. */
export const SJIS_SUBJECT = Buffer.from([0x89, 0xef, 0x8b, 0x63, 0x82, 0xcc, 0x88, 0xc4, 0x93, 0xe0]);
export const SJIS_NAME = Buffer.from([0x97, 0xe9, 0x96, 0xd8]);
export const JAPANESE_RAW = Buffer.concat([
  crlf('From: '),
  SJIS_NAME,
  crlf(` <suzuki@example.jp>
Subject: `),
  SJIS_SUBJECT,
  crlf(`
Date: Wed, 25 Nov 2026 10:00:00 +0900
Content-Type: text/plain; charset=Shift_JIS
Content-Transfer-Encoding: 8bit

`),
  SJIS_SUBJECT,
  crlf('\n'),
]);

/** RFC 5322 §A.1.3 and §A.5 kinds of addresses, and some that are broken. */
export const ADDRESSES = crlf(`From: "Joe Q. Public" <john.q.public@example.com>
Sender: (nobody at all)
Reply-To: Mary Smith <@relay1.example,@relay2.example:mary@x.test>
To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;,
 undisclosed-recipients:;
Cc: "Giant; \\"Big\\" Box" <sysservices@example.net>, pete(his account)@silly.test(his host),
 bare-local, <postmaster>, Jane Doe <jane@[192.0.2.7]>
Bcc: ;;, ,<<>>"unterminated
Subject: addresses
Date: Thu, 26 Nov 2026 12:00:00 +0000

Body.
`);

export const DIGEST = crlf(`From: list@example.org
Subject: Digest, Vol 1
Content-Type: multipart/digest; boundary=d

--d

From: a@example.org
Subject: first

One.
--d
Content-Type: text/plain

Not a message.
--d--
`);
