import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cooOn, DataDirTemplate, oneLine } from './support/cli.ts';

function expectOk(result: { code: number | null; stderr: string }): void {
  assert.equal(result.code, 0, result.stderr);
}

/** Sales, Sales/Tokyo, Dev, 役員室 (executives); a, t (Tokyo), d (Dev), e (役員室); group "Project X" = d, t. */
async function company(coo: ReturnType<typeof cooOn>): Promise<void> {
  expectOk(await coo(['org', 'add', 'Sales/Tokyo', '--parents']));
  await Promise.all(
    [
      ['org', 'add', 'Dev'],
      ['org', 'add', '役員室'],
      ['group', 'add', 'Project X'],
    ].map(async (args) => expectOk(await coo(args))),
  );
  await Promise.all(
    [
      ['user', 'add', 'a@example.com', '--name', 'A', '--unit', 'Sales'],
      ['user', 'add', 't@example.com', '--name', 'T', '--unit', 'Sales/Tokyo'],
      ['user', 'add', 'd@example.com', '--name', 'D', '--unit', 'Dev'],
      ['user', 'add', 'e@example.com', '--name', 'E', '--unit', '役員室'],
    ].map(async (args) => expectOk(await coo(args))),
  );
  await Promise.all(
    ['d@example.com', 't@example.com'].map(async (address) =>
      expectOk(await coo(['group', 'add-member', 'Project X', address])),
    ),
  );
}

describe('coo rule and coo org hide', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('rule mode, add, list, check and remove, as an admin types them', async () => {
    const coo = cooOn(template.copy());
    await company(coo);
    assert.equal((await coo(['rule', 'mode'])).stdout, 'open\n');
    assert.equal((await coo(['rule', 'mode', 'closed'])).stdout, 'visibility mode is now closed\n');
    assert.equal((await coo(['rule', 'mode', 'closed'])).stdout, 'visibility mode is already closed\n');

    const added = await coo([
      'rule',
      'add',
      '--subject',
      'unit:Dev',
      '--object',
      'unit:Sales',
      '--permission',
      'message',
      '--effect',
      'allow',
    ]);
    expectOk(added);
    assert.equal(added.stdout, 'added rule #1: unit:Dev may message unit:Sales\n');
    expectOk(
      await coo([
        'rule',
        'add',
        '--subject',
        'group:Project X',
        '--object',
        'unit-only:Sales/Tokyo',
        '--permission',
        'message',
        '--effect',
        'deny',
      ]),
    );
    const list = await coo(['rule', 'list']);
    expectOk(list);
    assert.equal(
      list.stdout,
      [
        'mode: closed',
        'ID  SUBJECT          MAY              OBJECT',
        ' 1  unit:Dev         may message      unit:Sales',
        ' 2  group:Project X  may not message  unit-only:Sales/Tokyo',
        'hidden units: none',
        '',
      ].join('\n'),
    );

    const [toSales, toTokyo, back] = await Promise.all([
      coo(['rule', 'check', 'd@example.com', 'a@example.com']),
      coo(['rule', 'check', 'd', 't@example.com']),
      coo(['rule', 'check', 'a@example.com', 'd@example.com']),
    ]);
    assert.equal(
      toSales.stdout,
      [
        'd@example.com → a@example.com',
        'see:      yes  rule #1: unit:Dev may message unit:Sales',
        'message:  yes  rule #1: unit:Dev may message unit:Sales',
        '',
      ].join('\n'),
    );
    assert.equal(
      toTokyo.stdout,
      [
        'd@example.com → t@example.com',
        'see:      yes  rule #1: unit:Dev may message unit:Sales',
        'message:  no   rule #2: group:Project X may not message unit-only:Sales/Tokyo',
        '',
      ].join('\n'),
    );
    assert.match(back.stdout, /^see: +no +no rule allows it, and the mode is closed$/m);

    const json = await coo(['rule', 'check', 'd@example.com', 't@example.com', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      see: { allowed: boolean };
      message: { reason: { kind: string; rule: { id: number } } };
    };
    assert.equal(parsed.see.allowed, true);
    assert.equal(parsed.message.reason.kind, 'rule');
    assert.equal(parsed.message.reason.rule.id, 2);

    assert.equal(
      (await coo(['rule', 'remove', '2'])).stdout,
      'removed rule #2: group:Project X may not message unit-only:Sales/Tokyo\n',
    );
    assert.match((await coo(['rule', 'check', 'd', 't'])).stdout, /^message: +yes +rule #1/m);
    const listed = JSON.parse((await coo(['rule', 'list', '--json'])).stdout) as {
      mode: string;
      rules: { id: number; text: string; subject: unknown }[];
      hiddenUnits: string[];
    };
    assert.equal(listed.mode, 'closed');
    assert.deepEqual(
      listed.rules.map((r) => [r.id, r.text, r.subject]),
      [[1, 'unit:Dev may message unit:Sales', { kind: 'unit', path: 'Dev', includeSubunits: true }]],
    );

    const audit = await coo(['audit', 'list', '--action', 'visibility.']);
    expectOk(audit);
    assert.equal(audit.stdout.match(/visibility\.rule\.add/g)?.length, 2);
    assert.equal(audit.stdout.match(/visibility\.rule\.remove/g)?.length, 1);
    assert.equal(audit.stdout.match(/visibility\.mode/g)?.length, 1);
  });

  test('org hide makes a unit invisible outside it whatever the rules; check names it; org unhide undoes it', async () => {
    const coo = cooOn(template.copy());
    await company(coo);
    const hidden = await coo(['org', 'hide', '役員室']);
    assert.equal(
      hidden.stdout,
      'hid org unit 役員室: its members are invisible outside it, except to administrators\n',
    );
    assert.equal((await coo(['org', 'hide', '役員室'])).stdout, 'org unit 役員室 is already hidden\n');
    expectOk(
      await coo([
        'rule',
        'add',
        '--subject',
        'everyone',
        '--object',
        'unit:役員室',
        '--permission',
        'message',
        '--effect',
        'allow',
      ]),
    );
    const [outsider, insider, admin, list] = await Promise.all([
      coo(['rule', 'check', 'a@example.com', 'e@example.com']),
      coo(['rule', 'check', 'e@example.com', 'a@example.com']),
      coo(['rule', 'check', 'admin@example.com', 'e@example.com']),
      coo(['rule', 'list']),
    ]);
    assert.equal(
      outsider.stdout,
      [
        'a@example.com → e@example.com',
        'see:      no   e@example.com is in the hidden unit 役員室, and a@example.com is not',
        'message:  no   e@example.com is in the hidden unit 役員室, and a@example.com is not',
        '',
      ].join('\n'),
    );
    assert.match(insider.stdout, /^message: +yes +no deny rule applies, and the mode is open$/m);
    assert.match(admin.stdout, /^see: +yes +admin@example\.com is an administrator/m);
    assert.match(list.stdout, /^hidden units: 役員室$/m);

    assert.equal((await coo(['org', 'unhide', '役員室'])).stdout, 'org unit 役員室 is visible again\n');
    assert.equal((await coo(['org', 'unhide', '役員室'])).stdout, 'org unit 役員室 was not hidden\n');
    assert.match((await coo(['rule', 'check', 'a', 'e'])).stdout, /^see: +yes/m);
    const audit = await coo(['audit', 'list', '--action', 'org.']);
    assert.match(audit.stdout, /org\.hide +役員室/);
    assert.match(audit.stdout, /org\.unhide +役員室/);
  });

  test('bad rules are refused with one clear line and nothing is stored', async () => {
    const coo = cooOn(template.copy());
    await company(coo);
    const rule = (subject: string, object: string, permission = 'see', effect = 'allow') =>
      coo([
        'rule',
        'add',
        '--subject',
        subject,
        '--object',
        object,
        '--permission',
        permission,
        '--effect',
        effect,
      ]);
    expectOk(await rule('unit:Dev', 'everyone'));
    const results = await Promise.all([
      rule('unit:Nowhere/Team', 'everyone'),
      rule('everyone', 'group:Ghosts'),
      rule('everyone', 'everyone', 'read'),
      rule('everyone', 'everyone', 'see', 'perhaps'),
      rule('team:Dev', 'everyone'),
      rule('unit:Dev', 'everyone'),
      coo(['rule', 'remove', '42']),
      coo(['rule', 'remove', 'first']),
      coo(['rule', 'mode', 'ajar']),
      coo(['rule', 'check', 'a@example.com', 'nobody@example.com']),
      coo(['org', 'hide', 'Nowhere']),
    ]);
    assert.deepEqual(results.map(oneLine), [
      'coo: rule subject: unknown org unit "Nowhere" (in "Nowhere/Team")',
      'coo: rule object: unknown group "Ghosts"',
      'coo: permission "read": expected see or message',
      'coo: effect "perhaps": expected allow or deny',
      'coo: --subject "team:Dev": expected unit:PATH, unit-only:PATH, group:NAME or everyone',
      'coo: this rule exists already (#1): unit:Dev may see everyone',
      'coo: no visibility rule #42 (coo rule list shows them)',
      'coo: rule id "first" is not a whole number from 1',
      'coo: mode "ajar": expected open or closed',
      'coo: unknown user nobody@example.com',
      'coo: unknown org unit "Nowhere"',
    ]);
    for (const result of results) assert.equal(result.code, 1);

    const missing = await coo([
      'rule',
      'add',
      '--subject',
      'everyone',
      '--object',
      'everyone',
      '--permission',
      'see',
    ]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'coo: rule add: missing --effect\nsee coo rule --help\n');
    const extra = await coo(['rule', 'check', 'a', 'b', 'c']);
    assert.equal(extra.code, 2);
    assert.match(
      (await coo(['rule', 'list'])).stdout,
      /^ 1 +unit:Dev +may see +everyone\nhidden units: none\n$/m,
    );
  });
});
