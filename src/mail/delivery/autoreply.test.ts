import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeHeader, type MessageSummary } from '../message/summary.ts';
import { addressedToUser, autoreplyAllowed } from './autoreply.ts';

const USER = 'taro@example.com';
/** example.jp is an alias domain of example.com; example.net is another main domain of ours. */
const DOMAINS = new Map([
  ['example.com', 'example.com'],
  ['example.jp', 'example.com'],
  ['example.net', 'example.net'],
]);

async function summaryOf(header: string | Buffer): Promise<MessageSummary> {
  const bytes = Buffer.isBuffer(header) ? header : Buffer.from(header);
  return summarizeHeader(
    Buffer.concat([Buffer.from('From: alice@sender.example\r\n'), bytes, Buffer.from('\r\n')]),
  );
}

async function allowed(header: string | Buffer, options: { domains?: boolean; sender?: string } = {}) {
  return autoreplyAllowed({
    sender: options.sender ?? 'alice@sender.example',
    userAddress: USER,
    summary: await summaryOf(header),
    localDomains: options.domains === false ? undefined : DOMAINS,
  });
}

test('mail naming the user in To or Cc is answered, whatever the case or display name', async () => {
  assert.equal(await allowed('To: taro@example.com\r\n'), true);
  assert.equal(await allowed('To: "Yamada, Taro" <Taro@Example.COM>\r\n'), true);
  assert.equal(await allowed('To: boss@example.com\r\nCc: a@b.example, taro@example.com\r\n'), true);
  assert.equal(await allowed('To: Team: hanako@example.com, taro@example.com;\r\n'), true, 'a group');
  assert.equal(await allowed('To: taro@example.com (Taro, at home)\r\n'), true, 'a comment');
});

test('encoded and raw Japanese display names do not hide or fake the address', async () => {
  assert.equal(await allowed('To: =?ISO-2022-JP?B?GyRCRURDZhsoQg==?= <taro@example.com>\r\n'), true);
  // A decoded name with a comma and angle brackets in it is still one name.
  assert.equal(
    await allowed('To: =?UTF-8?Q?Boss=2C_=3Ctaro=40example=2Ecom=3E?= <boss@example.com>\r\n'),
    false,
  );
  const shiftJisName = Buffer.concat([
    Buffer.from('To: '),
    Buffer.from([0x93, 0x63, 0x92, 0x86, 0x40]), // 田中 and an "@" byte, raw Shift_JIS
    Buffer.from(' <taro@example.com>\r\n'),
  ]);
  assert.equal(await allowed(shiftJisName), true);
  assert.equal(await allowed('To: "taro@example.com" <someone@example.com>\r\n'), false);
});

test("a Bcc'd copy, a list address, no To at all or an empty group get no reply", async () => {
  assert.equal(await allowed('To: colleague@example.com\r\n'), false);
  assert.equal(await allowed('To: all-staff@lists.example\r\n'), false);
  assert.equal(await allowed(''), false);
  assert.equal(await allowed('To: undisclosed-recipients:;\r\n'), false);
  assert.equal(await allowed('Bcc: taro@example.com\r\n'), false, 'only To and Cc count');
});

test("the user's addresses: a +tag, an alias domain; not the same name in another domain, nor a role address", async () => {
  assert.equal(await allowed('To: taro+news@example.com\r\n'), true);
  assert.equal(await allowed('To: taro@example.jp\r\n'), true);
  assert.equal(await allowed('To: TARO+x@EXAMPLE.JP\r\n'), true);
  assert.equal(
    await allowed('To: taro@example.jp\r\n', { domains: false }),
    false,
    'unknown without the domains',
  );
  assert.equal(await allowed('To: taro@example.net\r\n'), false);
  assert.equal(await allowed('To: taro@example.com.evil.example\r\n'), false);
  assert.equal(await allowed('To: taroo@example.com\r\n'), false);
  assert.equal(await allowed('To: +taro@example.com\r\n'), false);
  assert.equal(await allowed('To: postmaster@example.com\r\n'), false);
});

test('the older refusals still apply to mail addressed to the user', async () => {
  const to = 'To: taro@example.com\r\n';
  assert.equal(await allowed(to, { sender: '' }), false);
  assert.equal(await allowed(to, { sender: 'Taro@example.com' }), false);
  assert.equal(await allowed(to, { sender: 'mailer-daemon@sender.example' }), false);
  assert.equal(await allowed(`${to}Auto-Submitted: auto-replied\r\n`), false);
  assert.equal(await allowed(`${to}Auto-Submitted: no\r\n`), true);
  assert.equal(await allowed(`${to}Precedence: bulk\r\n`), false);
  assert.equal(await allowed(`${to}List-Id: <staff.example.com>\r\n`), false);
});

test('addressedToUser needs a user address with a local part and a domain', () => {
  const summary = { recipients: ['taro@example.com'] };
  assert.equal(addressedToUser(summary, 'taro@example.com'), true);
  assert.equal(addressedToUser(summary, 'taro'), false);
  assert.equal(addressedToUser({ recipients: ['taro', '@example.com'] }, 'taro@example.com'), false);
});
