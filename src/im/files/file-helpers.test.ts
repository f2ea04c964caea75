import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from './byte-range.ts';
import { contentDisposition } from './content-disposition.ts';
import { cleanFileName } from './file-name.ts';
import { decideMimeType, normaliseDeclaredType, OCTET_STREAM } from './mime-type.ts';

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const ZIP_HEAD = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]);

describe('parseRange (RFC 9110 §14.1.2)', () => {
  it('reads a closed, an open and a suffix range', () => {
    assert.deepEqual(parseRange('bytes=0-99', 1000), { kind: 'range', range: { start: 0, end: 99 } });
    assert.deepEqual(parseRange('bytes=900-', 1000), { kind: 'range', range: { start: 900, end: 999 } });
    assert.deepEqual(parseRange('bytes=-100', 1000), { kind: 'range', range: { start: 900, end: 999 } });
  });

  it('clamps a last byte past the end and a suffix longer than the file', () => {
    assert.deepEqual(parseRange('bytes=10-5000', 1000), { kind: 'range', range: { start: 10, end: 999 } });
    assert.deepEqual(parseRange('bytes=-5000', 1000), { kind: 'range', range: { start: 0, end: 999 } });
  });

  it('answers unsatisfiable for a start past the end, an empty suffix or an empty file', () => {
    assert.deepEqual(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });

  it('ignores what it may ignore: no header, other units, several ranges, garbage, last < first', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=abc', 'bytes=-', 'bytes=9-3', '']) {
      assert.deepEqual(parseRange(header, 1000), { kind: 'whole' }, String(header));
    }
  });
});

describe('contentDisposition (RFC 6266, RFC 8187)', () => {
  it('gives the UTF-8 name percent-encoded and an ASCII fallback', () => {
    assert.equal(
      contentDisposition('attachment', '議事録 2026.pdf'),
      `attachment; filename="___ 2026.pdf"; filename*=UTF-8''%E8%AD%B0%E4%BA%8B%E9%8C%B2%202026.pdf`,
    );
  });

  it('cannot be broken out of by quotes, backslashes, semicolons or line breaks', () => {
    const header = contentDisposition('inline', 'a"b\\c;d\r\ne\'(f)*.txt');
    assert.equal(
      header,
      `inline; filename="a_b_c;d__e'(f)*.txt"; filename*=UTF-8''a%22b%5Cc%3Bd%0D%0Ae%27%28f%29%2A.txt`,
    );
    assert.doesNotMatch(header, /[\r\n]/);
  });
});

describe('cleanFileName', () => {
  it('keeps a plain name, drops folders and control characters', () => {
    assert.equal(cleanFileName('report.pdf'), 'report.pdf');
    assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
    assert.equal(cleanFileName('C:\\Users\\taro\\メモ.txt'), 'メモ.txt');
    assert.equal(cleanFileName('a\u0000b\u001bc\u007f.txt'), 'abc.txt');
  });

  it('names a nameless file "file"', () => {
    for (const name of [undefined, null, '', '   ', '..', 'dir/']) assert.equal(cleanFileName(name), 'file');
  });

  it('cuts a long name to 255 characters, keeping the extension', () => {
    const cut = cleanFileName(`${'あ'.repeat(300)}.xlsx`);
    assert.equal([...cut].length, 255);
    assert.ok(cut.endsWith('あ.xlsx'));
  });
});

describe('decideMimeType', () => {
  it('believes the content over the declared type for formats it recognises', () => {
    assert.equal(decideMimeType(PNG_HEAD, 'application/pdf'), 'image/png');
    assert.equal(decideMimeType(Buffer.from('%PDF-1.7\n'), 'text/html'), 'application/pdf');
  });

  it('lets a declared type refine a container (a .docx is a ZIP)', () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    assert.equal(decideMimeType(ZIP_HEAD, docx), docx);
    assert.equal(decideMimeType(ZIP_HEAD, undefined), 'application/zip');
  });

  it('falls back to the declared type, then to octet-stream', () => {
    assert.equal(decideMimeType(Buffer.from('hello'), 'Text/Plain; charset=utf-8'), 'text/plain');
    assert.equal(decideMimeType(Buffer.from('hello'), 'not a type'), OCTET_STREAM);
    assert.equal(decideMimeType(Buffer.alloc(0), undefined), OCTET_STREAM);
  });

  it('refuses malformed declared types', () => {
    for (const bad of ['text', 'text/', '/plain', 'te xt/plain', 'text/plain\r\nX: y', 'a/b/c']) {
      assert.equal(normaliseDeclaredType(bad), undefined, bad);
    }
  });
});
