import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authservIdOf, claimsAuthservId, ownResults, removeForgedResults } from './authentication-results.ts';

const OURS = 'mx.example.com';
const whole = { complete: true };

test('the authserv-id is read past comments and quotes, without its version number', () => {
  assert.equal(authservIdOf('mx.example.com; spf=pass smtp.mailfrom=a@b.example'), 'mx.example.com');
  assert.equal(authservIdOf('MX.Example.COM 1; none'), 'mx.example.com');
  assert.equal(authservIdOf(' (a (nested) comment) mx.example.com;none'), 'mx.example.com');
  assert.equal(authservIdOf('"mx.example.com" ; dkim=pass'), 'mx.example.com');
  assert.equal(authservIdOf('"mx.ex\\ample.com"; dkim=pass'), 'mx.example.com');
  assert.equal(authservIdOf('mx.example.com(comment); none'), 'mx.example.com');
  assert.equal(authservIdOf(''), undefined);
  assert.equal(authservIdOf('  (only a comment) '), undefined);
  assert.equal(authservIdOf('"never closed; spf=pass'), undefined);
  assert.equal(authservIdOf('; spf=pass'), undefined);
});

test('a claim to our authserv-id ignores case, a version number and a final dot; look-alike names are not ours', () => {
  assert.ok(claimsAuthservId('mx.example.com; spf=pass', OURS));
  assert.ok(claimsAuthservId('MX.EXAMPLE.COM 1; spf=pass', OURS));
  assert.ok(claimsAuthservId('mx.example.com.; spf=pass', 'MX.example.com'));
  assert.ok(claimsAuthservId('(forged) "mx.example.com"; dkim=pass', OURS));
  assert.ok(!claimsAuthservId('mx.example.com.evil.example; spf=pass', OURS));
  assert.ok(!claimsAuthservId('evil-mx.example.com; spf=pass', OURS));
  assert.ok(!claimsAuthservId('example.com; spf=pass', OURS));
  assert.ok(!claimsAuthservId('mx.google.com; dkim=pass', OURS));
});

const FORGED_FOLDED =
  'Authentication-Results: mx.example.com;\r\n\tdkim=pass header.d=bank.example;\r\n spf=pass\r\n';
const OTHERS =
  'Authentication-Results: mx.sender.example; spf=pass smtp.mailfrom=alice@sender.example\r\n' +
  'ARC-Authentication-Results: i=1; mx.example.com; dmarc=pass\r\n';

function message(
  header: string,
  body = 'Body line 1\r\nAuthentication-Results: mx.example.com; in the body\r\n',
) {
  return Buffer.from(`${header}\r\n${body}`);
}

test('forged fields are removed whole, folded lines included; every other byte stays', () => {
  const header =
    `Received: from relay.example\r\n\tby hop.example; Mon, 23 Nov 2026 09:00:00 +0900\r\n` +
    FORGED_FOLDED +
    OTHERS +
    `authentication-results : MX.Example.Com 1; dmarc=pass header.from=bank.example\r\n` +
    `From: Bank <info@bank.example>\r\nSubject: =?UTF-8?B?5Lya6K2w?=\r\n folded subject\r\n` +
    `Authentication-Results: (comment) "mx.example.com"; none\r\n`;
  const result = removeForgedResults(Buffer.from(header), OURS, whole);
  assert.equal(result.removed, 3);
  assert.equal(
    result.header.toString(),
    `Received: from relay.example\r\n\tby hop.example; Mon, 23 Nov 2026 09:00:00 +0900\r\n` +
      OTHERS +
      `From: Bank <info@bank.example>\r\nSubject: =?UTF-8?B?5Lya6K2w?=\r\n folded subject\r\n`,
  );
});

test('a header block with no forgery is returned as it is, the same bytes', () => {
  const header = Buffer.from(`${OTHERS}From: a@b.example\r\n\r\n`);
  const result = removeForgedResults(header, OURS, whole);
  assert.equal(result.removed, 0);
  assert.equal(result.header, header);
});

test('the body is never looked at: a field-like line below the empty line stays', () => {
  const bytes = message(`${FORGED_FOLDED}From: a@b.example\r\n`);
  const result = removeForgedResults(bytes, OURS, whole);
  assert.equal(result.removed, 1);
  assert.equal(
    result.header.toString(),
    'From: a@b.example\r\n\r\nBody line 1\r\nAuthentication-Results: mx.example.com; in the body\r\n',
  );
});

test('bare LF line ends and a block with no header/body separator are handled', () => {
  const lf = removeForgedResults(
    Buffer.from('Authentication-Results: mx.example.com;\n spf=pass\nFrom: a@b.example\n\nbody\n'),
    OURS,
    whole,
  );
  assert.equal(lf.header.toString(), 'From: a@b.example\n\nbody\n');

  const noSeparator = removeForgedResults(Buffer.from(`Subject: no body\r\n${FORGED_FOLDED}`), OURS, whole);
  assert.equal(noSeparator.removed, 1);
  assert.equal(noSeparator.header.toString(), 'Subject: no body\r\n');

  const lastLineWithoutBreak = removeForgedResults(
    Buffer.from('Subject: x\r\nAuthentication-Results: mx.example.com; spf=pass'),
    OURS,
    whole,
  );
  assert.equal(lastLineWithoutBreak.header.toString(), 'Subject: x\r\n');
});

test('in a header block that was cut, the last field may go on past the cut and is kept', () => {
  const cut = Buffer.from(`${FORGED_FOLDED}X-Filler: 1\r\nAuthentication-Results: mx.example.com;\r\n dkim`);
  const result = removeForgedResults(cut, OURS, { complete: false });
  assert.equal(result.removed, 1);
  assert.equal(result.header.toString(), 'X-Filler: 1\r\nAuthentication-Results: mx.example.com;\r\n dkim');
});

test('lines that are no field, and a continuation at the very top, are kept in place', () => {
  const header = Buffer.from(` leading continuation\r\nnot a field\r\n${FORGED_FOLDED}X-After: 1\r\n\r\n`);
  const result = removeForgedResults(header, OURS, whole);
  assert.equal(result.header.toString(), ' leading continuation\r\nnot a field\r\nX-After: 1\r\n\r\n');
});

test('our own results are the topmost Authentication-Results, and only when it names us', () => {
  const stored = Buffer.from(
    'Return-Path: <a@b.example>\r\n' +
      'Authentication-Results: mx.example.com;\r\n spf=pass smtp.mailfrom=a@b.example;\r\n arc=none\r\n' +
      'Received: from x by mx.example.com\r\n' +
      'Authentication-Results: mx.example.com; arc=pass; dkim=pass (forged below ours)\r\n\r\n',
  );
  assert.equal(ownResults(stored, OURS), 'mx.example.com; spf=pass smtp.mailfrom=a@b.example; arc=none');

  const noneOfOurs = Buffer.from(
    'Authentication-Results: mx.other.example; spf=fail\r\n' +
      'Authentication-Results: mx.example.com; arc=pass; dkim=pass\r\n\r\n',
  );
  assert.equal(ownResults(noneOfOurs, OURS), undefined, 'a forged field below another is never taken');
  assert.equal(ownResults(Buffer.from('From: a@b.example\r\n\r\n'), OURS), undefined);
});
