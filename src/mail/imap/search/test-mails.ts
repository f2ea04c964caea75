import iconv from 'iconv-lite';

/**
 * Builds the Japanese mails the search tests read, byte-exact as Japanese
 * mail programs send them. Used only by the tests beside this file.
 */

export function shiftJis(text: string): Buffer {
  return iconv.encode(text, 'shift_jis');
}

export function eucJp(text: string): Buffer {
  return iconv.encode(text, 'euc-jp');
}

const ESC = 0x1b;

/** ISO-2022-JP (RFC 1468): JIS X 0208 runs between ESC $ B and ESC ( B; the EUC-JP bytes without their high bit. */
export function iso2022Jp(text: string): Buffer {
  const euc = eucJp(text);
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const byte = euc[i] ?? 0;
    if (byte >= 0xa1) {
      if (!kanji) out.push(ESC, 0x24, 0x42);
      kanji = true;
      out.push(byte & 0x7f, (euc[i + 1] ?? 0) & 0x7f);
      i++;
    } else {
      if (kanji) out.push(ESC, 0x28, 0x42);
      kanji = false;
      out.push(byte);
    }
  }
  if (kanji) out.push(ESC, 0x28, 0x42);
  return Buffer.from(out);
}

/** An RFC 2047 B-encoded word. */
export function encodedWord(charset: string, bytes: Buffer): string {
  return `=?${charset}?B?${bytes.toString('base64')}?=`;
}

/** A message from header lines (strings or raw bytes) and a body, with CRLF line ends. */
export function buildMail(header: Array<string | Buffer>, body: string | Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const line of header)
    parts.push(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return Buffer.concat(parts);
}

/** Base64 with 76-character lines (RFC 2045 §6.8). */
export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** Bytes of a small "PDF" whose text must never be found by BODY or TEXT. */
export const PDF_MARKER = 'pdf-only-marker';
const PDF_BYTES = Buffer.from(`%PDF-1.4\n1 0 obj << /Title (${PDF_MARKER}) >> endobj\n%%EOF\n`, 'latin1');
export const PDF_BASE64 = PDF_BYTES.toString('base64');

/** The mails of a Japanese office's mailbox, each in one of the ways such mail arrives. */
export function japaneseMails() {
  return {
    /** Subject and From name as ISO-2022-JP encoded words; body ISO-2022-JP, 7bit. */
    meeting: buildMail(
      [
        `From: ${encodedWord('ISO-2022-JP', iso2022Jp('山田 太郎'))} <Yamada@Example.JP>`,
        'To: team@example.jp',
        'Cc: "Suzuki, Ichiro" <suzuki@example.jp>',
        `Subject: ${encodedWord('ISO-2022-JP', iso2022Jp('会議の件'))}`,
        'Date: Mon, 7 Apr 2025 00:10:00 +0900',
        'Message-ID: <meeting@example.jp>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=ISO-2022-JP',
        'Content-Transfer-Encoding: 7bit',
      ],
      Buffer.concat([iso2022Jp('明日の会議は十時からです。'), Buffer.from('\r\n')]),
    ),
    /** Raw Shift_JIS in the From name and Subject; Shift_JIS body; a PDF attached. */
    estimate: buildMail(
      [
        Buffer.concat([Buffer.from('From: '), shiftJis('佐藤花子'), Buffer.from(' <sato@example.jp>')]),
        'To: yamada@example.jp',
        Buffer.concat([Buffer.from('Subject: '), shiftJis('見積書の送付')]),
        'Date: Tue, 8 Apr 2025 09:00:00 +0900',
        'Message-ID: <estimate@example.jp>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="=_b1"',
      ],
      Buffer.concat([
        Buffer.from('This is a multi-part message in MIME format.\r\n--=_b1\r\n'),
        Buffer.from('Content-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
        shiftJis('お見積もりを添付いたします。ご確認ください。'),
        Buffer.from('\r\n--=_b1\r\n'),
        Buffer.from('Content-Type: application/pdf; name="mitsumori.pdf"\r\n'),
        Buffer.from('Content-Disposition: attachment; filename="mitsumori.pdf"\r\n'),
        Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(PDF_BYTES)}\r\n--=_b1--\r\n`),
      ]),
    ),
    /** A mailing-list reply, forwarded; EUC-JP body, charset in quotes. */
    newProduct: buildMail(
      [
        'From: Kato <kato@example.com>',
        'To: list@example.com',
        `Subject: Re: Fwd: [list] ${encodedWord('UTF-8', Buffer.from('新製品の案内'))}`,
        'Date: Wed, 9 Apr 2025 18:30:00 +0900',
        'Message-ID: <new-product@example.com>',
        'Content-Type: text/plain; charset="EUC-JP"',
        'Content-Transfer-Encoding: 8bit',
      ],
      Buffer.concat([eucJp('新製品のカタログをお送りします。'), Buffer.from('\r\n')]),
    ),
    /** UTF-8 in base64, with full-width and half-width forms. */
    report: buildMail(
      [
        'From: "Tanaka" <tanaka@example.jp>',
        'To: yamada@example.jp',
        'Subject: Quarterly report',
        'Date: Thu, 10 Apr 2025 12:00:00 +0000',
        'Message-ID: <report@example.jp>',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
      ],
      base64Lines(Buffer.from('全角のＡＢＣ社と半角のｶﾀｶﾅを含む報告書です。\r\n')),
    ),
    /** UTF-8 in quoted-printable, a soft break inside a character's bytes. */
    invoice: buildMail(
      [
        'From: billing@example.co.jp',
        'To: yamada@example.jp',
        'Subject: =?UTF-8?Q?=E8=AB=8B=E6=B1=82=E6=9B=B8?=',
        'Message-ID: <invoice@example.co.jp>',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      '=E8=AB=8B=E6=B1=82=E6=9B=B8=E3=81=AE=E7=A2=BA=E8=AA=8D=E3=82=92=E3=81=8A=E9=A1=98=E3=81=84=\r\n=E3=81=97=E3=81=BE=E3=81=99 =3D done\r\n',
    ),
    /** HTML beside plain text, and a forwarded message inside. */
    forwarded: buildMail(
      [
        'From: Ito <ito@example.jp>',
        'To: yamada@example.jp',
        `Subject: Fw: ${encodedWord('ISO-2022-JP', iso2022Jp('会議の件'))}`,
        'Date: 11 Apr 25 08:00 JST',
        'Message-ID: <forwarded@example.jp>',
        'References: <meeting@example.jp>',
        'Content-Type: multipart/mixed; boundary=outer',
      ],
      [
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain; charset=utf-8',
        '',
        '転送します。',
        '--inner',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><body><p class="html-only-class">転送します。</p></body></html>',
        '--inner--',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        `Subject: ${encodedWord('ISO-2022-JP', iso2022Jp('元の件名'))}`,
        'From: origin@example.jp',
        '',
        '元の本文です。',
        '--outer--',
        '',
      ].join('\r\n'),
    ),
  };
}
