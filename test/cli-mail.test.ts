import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cooOn, DataDirTemplate, oneLine } from './support/cli.ts';

function expectOk(result: { code: number | null; stderr: string }): void {
  assert.equal(result.code, 0, result.stderr);
}

describe('coo mail: forwarding and delivery rules', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('mail forward sets, shows and turns off forwarding, with or without a copy', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['user', 'add', 'taro@example.com', '--name', 'Taro']));
    assert.equal(
      (await coo(['mail', 'forward', 'taro@example.com'])).stdout,
      'taro@example.com: mail is not forwarded\n',
    );
    const set = await coo([
      'mail',
      'forward',
      'taro@example.com',
      '--to',
      'Taro@Home.Example',
      '--keep-copy',
    ]);
    expectOk(set);
    assert.equal(set.stdout, 'taro@example.com: mail is forwarded to taro@home.example (a copy is kept)\n');
    const changed = await coo(['mail', 'forward', 'taro', '--to', 'taro@home.example']);
    assert.equal(changed.stdout, 'taro: mail is forwarded to taro@home.example (no copy is kept)\n');
    assert.equal(
      (await coo(['mail', 'forward', 'taro@example.com'])).stdout,
      'taro@example.com: mail is forwarded to taro@home.example (no copy is kept)\n',
    );
    assert.equal(
      (await coo(['mail', 'forward', 'taro@example.com', '--off'])).stdout,
      'taro@example.com: forwarding turned off\n',
    );
    assert.equal(
      (await coo(['mail', 'forward', 'taro@example.com', '--off'])).stdout,
      'taro@example.com: mail was not forwarded\n',
    );
    const audit = await coo(['audit', 'list', '--action', 'mail.forwarding', '--json']);
    expectOk(audit);
    assert.equal((JSON.parse(audit.stdout) as unknown[]).length, 3);
  });

  test('mail rule add, list and remove: block, file and autoreply', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['user', 'add', 'hanako@example.com', '--name', '花子']));
    const block = await coo(['mail', 'rule', 'add', 'hanako@example.com', 'block', '@Spam.Example']);
    expectOk(block);
    assert.equal(block.stdout, 'added rule #1 for hanako@example.com: block mail from @spam.example\n');
    const file = await coo([
      'mail',
      'rule',
      'add',
      'hanako@example.com',
      'file',
      '--field',
      'subject',
      '--contains',
      '[営業]',
      '--mailbox',
      '営業/報告',
    ]);
    expectOk(file);
    assert.equal(
      file.stdout,
      'added rule #2 for hanako@example.com: file mail whose subject contains "[営業]" into 営業/報告\n',
    );
    const away = await coo([
      'mail',
      'rule',
      'add',
      'hanako@example.com',
      'autoreply',
      '--subject',
      '不在のお知らせ',
      '--body',
      '12月1日まで不在です。\\n急ぎの件は佐藤まで。',
      '--until',
      '2099-12-01',
    ]);
    expectOk(away);
    assert.match(
      away.stdout,
      /^added rule #3 for hanako@example\.com: auto-reply "不在のお知らせ" until 2099-12-01T/,
    );

    const list = await coo(['mail', 'rule', 'list', 'hanako@example.com']);
    expectOk(list);
    const lines = list.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0] ?? '', /^ID +KIND +RULE$/);
    assert.match(lines[1] ?? '', /^ *1 +block +block mail from @spam\.example$/);
    const json = JSON.parse((await coo(['mail', 'rule', 'list', 'hanako@example.com', '--json'])).stdout) as {
      id: number;
      kind: string;
      params: { body?: string };
    }[];
    assert.deepEqual(
      json.map((r) => r.kind),
      ['block', 'file', 'autoreply'],
    );
    assert.equal(json[2]?.params.body, '12月1日まで不在です。\n急ぎの件は佐藤まで。');

    assert.equal(
      (await coo(['mail', 'rule', 'remove', 'hanako@example.com', '2'])).stdout,
      'removed rule #2 of hanako@example.com\n',
    );
    const gone = await coo(['mail', 'rule', 'remove', 'hanako@example.com', '2']);
    assert.equal(gone.code, 1);
    assert.equal(oneLine(gone), 'coo: hanako@example.com has no mail rule #2');
  });

  test('mistakes: an unknown user, a bad sender, a bad kind, a missing option', async () => {
    const coo = cooOn(template.copy());
    const unknown = await coo(['mail', 'forward', 'nobody@example.com', '--to', 'x@y.example']);
    assert.equal(unknown.code, 1);
    assert.equal(oneLine(unknown), 'coo: unknown user nobody@example.com');
    expectOk(await coo(['user', 'add', 'ken@example.com', '--name', 'Ken']));
    const self = await coo(['mail', 'forward', 'ken@example.com', '--to', 'ken@example.com']);
    assert.equal(self.code, 1);
    assert.match(oneLine(self), /cannot forward to itself/);
    const badSender = await coo(['mail', 'rule', 'add', 'ken@example.com', 'block', 'not an address']);
    assert.equal(badSender.code, 1);
    assert.match(oneLine(badSender), /^coo: invalid block rule: sender: /);
    const badKind = await coo(['mail', 'rule', 'add', 'ken@example.com', 'delete-everything']);
    assert.equal(badKind.code, 2);
    assert.match(badKind.stderr, /unknown rule kind "delete-everything"/);
    const missing = await coo(['mail', 'rule', 'add', 'ken@example.com', 'file', '--field', 'subject']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --contains/);
    const both = await coo(['mail', 'forward', 'ken@example.com', '--off', '--to', 'x@y.example']);
    assert.equal(both.code, 2);
    const help = await coo(['mail', '--help']);
    expectOk(help);
    assert.match(help.stdout, /^Usage: coo mail SUBCOMMAND/);
  });
});
