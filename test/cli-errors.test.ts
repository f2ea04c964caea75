import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cooOn, DataDirTemplate, oneLine, type CooResult } from './support/cli.ts';

/**
 * Each bad input gets exactly one line on stderr naming the culprit, a
 * non-zero exit, and leaves the directory as it was.
 */
describe('coo on bad input', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  async function snapshot(coo: ReturnType<typeof cooOn>): Promise<string> {
    const [users, units, groups] = await Promise.all([
      coo(['user', 'list', '--json']),
      coo(['org', 'list', '--json']),
      coo(['group', 'list']),
    ]);
    return users.stdout + units.stdout + groups.stdout;
  }

  test('a duplicate user, an unknown unit or domain, a malformed address or bad values each get their line and change nothing', async () => {
    const coo = cooOn(template.copy());
    assert.equal((await coo(['user', 'add', 'taken@example.com', '--name', 'First'])).code, 0);
    const before = await snapshot(coo);
    const cases: [string[], string, string?][] = [
      [
        ['user', 'add', 'taken@example.com', '--name', 'Second'],
        'coo: user taken@example.com already exists',
      ],
      [
        ['user', 'add', 'new@example.com', '--name', 'N', '--unit', 'Nowhere'],
        'coo: unknown org unit "Nowhere"',
      ],
      [
        ['user', 'add', 'not an address', '--name', 'N'],
        'coo: "not an address" is not a valid address (expected name@domain)',
      ],
      [
        ['user', 'add', 'x@other.example', '--name', 'N'],
        'coo: unknown domain "other.example" in x@other.example',
      ],
      [
        ['user', 'add', 'd@example.com', '--name', 'N', '--valid-until', '2030-02-30'],
        'coo: valid-until "2030-02-30" is not a valid date (expected YYYY-MM-DD)',
      ],
      [
        ['user', 'add', 'q@example.com', '--name', 'N', '--quota', 'lots'],
        'coo: --quota "lots" is not a size (e.g. 500M, 2G, default, unlimited)',
      ],
      [
        ['user', 'add', 'p@example.com', '--name', 'N', '--password-stdin'],
        'coo: the password is too short: it has 5 characters, at least 8 are needed',
        'short',
      ],
      [
        ['user', 'add', 'e@example.com', '--name', 'N', '--password-stdin'],
        'coo: no password on standard input',
        '',
      ],
      [['user', 'add', 'n@example.com', '--name', '  '], 'coo: name must not be empty'],
      [['user', 'set', 'taken@example.com', '--admin', 'maybe'], 'coo: --admin "maybe": expected yes or no'],
      [['user', 'show', 'ghost@example.com'], 'coo: unknown user ghost@example.com'],
      [['user', 'disable', 'ghost@example.com'], 'coo: unknown user ghost@example.com'],
      [['user', 'set', 'taken@example.com', '--unit', 'Nowhere'], 'coo: unknown org unit "Nowhere"'],
      [['org', 'add', 'A/B'], 'coo: unknown org unit "A" (create it first, or use --parents)'],
      [['org', 'rename', 'Nowhere', 'Somewhere'], 'coo: unknown org unit "Nowhere"'],
      [['group', 'add-member', 'Nobody', 'taken@example.com'], 'coo: unknown group "Nobody"'],
      [['domain', 'add', 'bad_domain'], 'coo: "bad_domain" is not a valid domain name'],
    ];
    const results = await Promise.all(cases.map(([args, , input]) => coo(args, { input })));
    for (const [i, [args, expected]] of cases.entries()) {
      const result = results[i] as CooResult;
      assert.equal(result.code, 1, `coo ${args.join(' ')}: ${result.stderr}`);
      assert.equal(oneLine(result), expected, `coo ${args.join(' ')}`);
      assert.equal(result.stdout, '', `coo ${args.join(' ')} prints nothing on stdout`);
    }
    assert.equal(await snapshot(coo), before, 'nothing was written');
  });

  test('a command line of the wrong shape is a usage error: exit 2, the problem, then a pointer to the help', async () => {
    const coo = cooOn(template.copy());
    const cases: [string[], string][] = [
      [
        ['user', 'add', 'a@example.com', '--name'],
        'coo: user add: option --name needs a value\nsee coo user --help\n',
      ],
      [['user', 'disable'], 'coo: user disable: missing ADDRESS\nsee coo user --help\n'],
      [['user', 'list', '--json=yes'], 'coo: user list: option --json takes no value\nsee coo user --help\n'],
      [['org', 'rename', 'Sales'], 'coo: org rename: missing NEWNAME\nsee coo org --help\n'],
      [['token', 'add', 'ci'], 'coo: token add: missing --admin\nsee coo token --help\n'],
      [
        ['group'],
        'coo: group: missing subcommand (one of add, rename, describe, remove, list, members, add-member, remove-member)\nsee coo group --help\n',
      ],
      [['import'], 'coo: import: missing FILE\nsee coo import --help\n'],
    ];
    const results = await Promise.all(cases.map(([args]) => coo(args)));
    for (const [i, [args, expected]] of cases.entries()) {
      assert.equal(results[i]?.code, 2, `coo ${args.join(' ')}`);
      assert.equal(results[i]?.stderr, expected, `coo ${args.join(' ')}`);
    }
  });

  test('an unexpected failure (a database file that is not one) exits 70 with "coo: internal error"', async () => {
    const dir = template.copy();
    writeFileSync(
      path.join(dir, 'coo.db'),
      'this is not a database, just some text that is long enough to matter',
    );
    const result = await cooOn(dir)(['user', 'list']);
    assert.equal(result.code, 70);
    assert.match(result.stderr, /^coo: internal error: .+\n/);
  });
});
