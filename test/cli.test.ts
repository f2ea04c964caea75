import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultDomain } from '../src/init.ts';
import {
  ADMIN,
  cooOn,
  DataDirTemplate,
  DOMAIN,
  oneLine,
  runCoo,
  shownPassword,
  startServe,
  tempDir,
  tryLogin,
  type ServeProcess,
} from './support/cli.ts';
import { createPostgresDatabase } from './support/stores.ts';

const OTHER_LISTENERS_OFF = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'].flatMap(
  (n) => ['--listen', `${n}=off`],
);

function httpsGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('coo init', { concurrency: true }, () => {
  const temp = tempDir();
  after(() => temp.remove());

  test('creates config, database, certificate and admin, and prints the URL and the generated password once', async () => {
    const dir = path.join(temp.dir, 'created');
    const result = await runCoo([
      'init',
      '--data',
      dir,
      '--domain',
      DOMAIN,
      '--admin',
      ADMIN,
      '--hostname',
      'mail.example.com',
      '--listen',
      'http=127.0.0.1:8443',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^URL: +https:\/\/mail\.example\.com:8443\/$/m);
    assert.match(result.stdout, /^Admin: +admin@example\.com$/m);
    for (const file of ['coo.toml', 'coo.db', 'tls/cert.pem', 'tls/key.pem']) {
      assert.ok(existsSync(path.join(dir, file)), `${file} exists`);
      assert.ok(
        result.stdout.includes(path.join(dir, file)) || file.startsWith('tls/key'),
        `${file} is named`,
      );
    }
    assert.match(readFileSync(path.join(dir, 'coo.toml'), 'utf8'), /^http += "127\.0\.0\.1:8443"/m);
    assert.equal(await tryLogin(dir, ADMIN, shownPassword(result.stdout)), 'ok');
  });

  test('takes the admin password from stdin with --password-stdin and prints none', async () => {
    const dir = path.join(temp.dir, 'stdin');
    const result = await runCoo(
      ['init', '--data', dir, '--domain', DOMAIN, '--admin', ADMIN, '--password-stdin'],
      {
        input: 'a long chosen password\n',
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /Password/);
    assert.equal(await tryLogin(dir, ADMIN, 'a long chosen password'), 'ok');
  });

  test('refuses an existing data dir with one line and leaves it as it was', async () => {
    const dir = path.join(temp.dir, 'twice');
    assert.equal((await runCoo(['init', '--data', dir, '--domain', DOMAIN, '--admin', ADMIN])).code, 0);
    const before = readFileSync(path.join(dir, 'coo.toml'), 'utf8');
    const again = await runCoo([
      'init',
      '--data',
      dir,
      '--domain',
      'other.example',
      '--admin',
      'x@other.example',
    ]);
    assert.equal(again.code, 1);
    assert.match(oneLine(again), /^coo: .*twice already holds a Coo data dir; refusing to overwrite it$/);
    assert.equal(readFileSync(path.join(dir, 'coo.toml'), 'utf8'), before);
  });

  test('refuses a folder that is not empty and writes nothing into it', async () => {
    const dir = path.join(temp.dir, 'busy');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const result = await runCoo(['init', '--data', dir, '--domain', DOMAIN, '--admin', ADMIN]);
    assert.equal(result.code, 1);
    assert.match(oneLine(result), /is not empty/);
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });

  test('an admin outside the domain or a malformed --listen fails with one line and leaves no data dir', async () => {
    const outside = path.join(temp.dir, 'outside');
    const badListen = path.join(temp.dir, 'bad-listen');
    const [a, b] = await Promise.all([
      runCoo(['init', '--data', outside, '--domain', DOMAIN, '--admin', 'boss@elsewhere.example']),
      runCoo([
        'init',
        '--data',
        badListen,
        '--domain',
        DOMAIN,
        '--admin',
        ADMIN,
        '--listen',
        'web=1.2.3.4:80',
      ]),
    ]);
    assert.equal(a.code, 1);
    assert.match(oneLine(a), /^coo: --admin boss@elsewhere\.example is not in --domain example\.com$/);
    assert.equal(b.code, 1);
    assert.match(oneLine(b), /^coo: --listen web=1\.2\.3\.4:80: expected NAME=HOST:PORT/);
    assert.ok(!existsSync(outside) && !existsSync(badListen));
  });

  test('without --domain is a usage error pointing at coo init --help', async () => {
    const dir = path.join(temp.dir, 'usage');
    const result = await runCoo(['init', '--data', dir, '--admin', ADMIN]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'coo: init: missing --domain\nsee coo init --help\n');
    assert.ok(!existsSync(dir));
  });
});

describe('coo init on PostgreSQL', () => {
  test('--database-url puts the directory in PostgreSQL and every command uses it', async () => {
    const database = await createPostgresDatabase();
    const temp = tempDir();
    try {
      assert.equal(database.target.kind, 'postgres');
      const url = database.target.kind === 'postgres' ? database.target.url : '';
      const dir = path.join(temp.dir, 'data');
      const init = await runCoo([
        'init',
        '--data',
        dir,
        '--domain',
        DOMAIN,
        '--admin',
        ADMIN,
        '--database-url',
        url,
      ]);
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /database: +PostgreSQL postgres:\/\//);
      assert.ok(!existsSync(path.join(dir, 'coo.db')));
      const coo = cooOn(dir);
      const add = await coo(['user', 'add', 'pg@example.com', '--name', 'On Postgres']);
      assert.equal(add.code, 0, add.stderr);
      const list = await coo(['user', 'list']);
      assert.match(list.stdout, /^pg@example\.com +On Postgres/m);
    } finally {
      temp.remove();
      await database.drop();
    }
  });
});

describe('coo serve', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  const temp = tempDir();
  const running: ServeProcess[] = [];
  before(() => template.create());
  after(async () => {
    await Promise.all(running.map((serve) => serve.stop('SIGKILL')));
    template.remove();
    temp.remove();
  });

  test('logs one line per listener, answers /healthz over HTTPS, lets the CLI work meanwhile and exits 0 on SIGTERM', async () => {
    const dir = template.copy();
    const serve = startServe(['--data', dir]);
    running.push(serve);
    const listenerLines = () => serve.logLines().filter((line) => typeof line.listener === 'string');
    await serve.waitFor(() => listenerLines().length === 8);
    assert.deepEqual(
      listenerLines()
        .map((line) => line.listener)
        .sort(),
      ['http', 'imap', 'imaps', 'pop3', 'pop3s', 'smtp', 'submission', 'submissions'],
    );
    for (const line of listenerLines()) assert.match(String(line.address), /^127\.0\.0\.1:\d+$/);
    const http = listenerLines().find((line) => line.listener === 'http');
    const port = Number(String(http?.address).split(':')[1]);
    assert.ok(port > 0, 'the http listener reports the port it bound');

    const [health, added] = await Promise.all([
      httpsGet(port, '/healthz'),
      runCoo(['user', 'add', 'busy@example.com', '--name', 'While Serving', '--data', dir]),
    ]);
    assert.equal(health.status, 200);
    assert.equal(added.code, 0, added.stderr);
    const list = await runCoo(['user', 'list', '--data', dir]);
    assert.match(list.stdout, /^busy@example\.com +While Serving/m);

    assert.deepEqual(await serve.stop('SIGTERM'), { code: 0, signal: null });
  });

  test('on a folder with no coo.toml initialises it first, prints the URL and the admin credentials, and stops on SIGINT', async () => {
    const dir = path.join(temp.dir, 'first-run');
    const serve = startServe(['--data', dir, '--listen', 'http=127.0.0.1:0', ...OTHER_LISTENERS_OFF]);
    running.push(serve);
    await serve.waitFor(({ stderr }) => /^=+$/m.test(stderr.split('Password')[1] ?? ''));
    const { stderr } = serve.output();
    const { domain, hostname } = defaultDomain();
    const url = /URL: +https:\/\/([^/:]+):(\d+)\//.exec(stderr);
    assert.equal(url?.[1], hostname);
    assert.ok(Number(url?.[2]) > 0, 'the URL has the bound port');
    assert.match(stderr, new RegExp(`Admin: +admin@${domain.replaceAll('.', '\\.')}`));
    assert.equal(await tryLogin(dir, `admin@${domain}`, shownPassword(stderr)), 'ok');
    assert.equal((await httpsGet(Number(url?.[2]), '/healthz')).status, 200);
    assert.deepEqual(await serve.stop('SIGINT'), { code: 0, signal: null });
  });

  test('an address already in use fails at start with one line and exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const serve = startServe(['--data', template.copy(), '--listen', `http=127.0.0.1:${port}`]);
      running.push(serve);
      const exit = await serve.exited;
      assert.equal(exit.code, 1);
      const errors = serve.output().stderr.trimEnd().split('\n');
      assert.deepEqual(errors, [
        `coo: listener http: cannot listen on 127.0.0.1:${port}: the address is already in use; choose another with --listen http=HOST:PORT`,
      ]);
    } finally {
      blocker.close();
    }
  });
});

describe('coo config check', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  test('prints ok and the file for a valid configuration', async () => {
    const dir = template.copy();
    const result = await runCoo(['config', 'check', '--data', dir]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `ok: ${path.join(dir, 'coo.toml')}\n`);
  });

  test('a broken value is reported with the file and the key, by config check and by every command', async () => {
    const dir = template.copy();
    const file = path.join(dir, 'coo.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^http += .*$/m, 'http = "everywhere"'));
    const results = await Promise.all([
      runCoo(['config', 'check', '--data', dir]),
      runCoo(['user', 'list', '--data', dir]),
      runCoo(['serve', '--data', dir]),
    ]);
    for (const result of results) {
      assert.equal(result.code, 1);
      assert.equal(
        oneLine(result),
        `coo: ${file}: [listen] http: expected "HOST:PORT" (e.g. "0.0.0.0:443") or "off"`,
      );
    }
  });

  test('a TOML syntax error names the file and the line', async () => {
    const dir = template.copy();
    const file = path.join(dir, 'coo.toml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n[log\n`);
    const result = await runCoo(['config', 'check', '--data', dir]);
    assert.equal(result.code, 1);
    assert.match(
      oneLine(result),
      new RegExp(`^coo: ${file.replaceAll('.', '\\.')} \\(line \\d+, column \\d+\\): not valid TOML`),
    );
  });

  test('a data dir with no configuration says to run coo init', async () => {
    const temp = tempDir();
    try {
      const result = await runCoo(['user', 'list', '--data', path.join(temp.dir, 'none')]);
      assert.equal(result.code, 1);
      assert.match(
        oneLine(result),
        /no configuration here; run "coo init --data .* --domain DOMAIN --admin ADDRESS" first$/,
      );
      assert.ok(!existsSync(path.join(temp.dir, 'none')), 'nothing is created');
    } finally {
      temp.remove();
    }
  });
});

describe('coo help and version', { concurrency: true }, () => {
  const GROUPS = [
    'init',
    'serve',
    'user',
    'org',
    'domain',
    'group',
    'token',
    'import',
    'export',
    'audit',
    'config',
  ];

  test('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = await runCoo(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `coo ${pkg.version}\n`);
  });

  test('coo help and coo --help list every command', async () => {
    for (const result of await Promise.all([runCoo(['help']), runCoo(['--help'])])) {
      assert.equal(result.code, 0);
      for (const name of GROUPS) assert.match(result.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  test('coo COMMAND --help, coo help COMMAND and coo COMMAND SUB --help print that command’s usage', async () => {
    const runs = await Promise.all([
      ...GROUPS.map((name) => runCoo([name, '--help'])),
      runCoo(['help', 'user']),
      runCoo(['user', 'add', '--help']),
      runCoo(['org', 'help']),
    ]);
    for (const [i, name] of [...GROUPS, 'user', 'user', 'org'].entries()) {
      const result = runs[i];
      assert.equal(result?.code, 0, `${name}: ${result?.stderr}`);
      assert.match(result?.stdout ?? '', new RegExp(`^Usage: coo ${name} `), name);
    }
  });

  test('no command prints the usage on stderr and exits 2', async () => {
    const result = await runCoo([]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Usage: coo COMMAND/);
  });

  test('an unknown command, subcommand or option is a usage error with a hint, exit 2', async () => {
    const [command, sub, option, extra] = await Promise.all([
      runCoo(['frobnicate']),
      runCoo(['org', 'shuffle']),
      runCoo(['user', 'list', '--colour']),
      runCoo(['user', 'show', 'a@example.com', 'b@example.com']),
    ]);
    assert.equal(command.code, 2);
    assert.equal(command.stderr, 'coo: unknown command "frobnicate"\nsee coo --help\n');
    assert.equal(sub.code, 2);
    assert.equal(
      sub.stderr,
      'coo: org: unknown subcommand "shuffle" (one of add, move, rename, remove, list, hide, unhide)\nsee coo org --help\n',
    );
    assert.equal(option.code, 2);
    assert.equal(option.stderr, 'coo: user list: unknown option --colour\nsee coo user --help\n');
    assert.equal(extra.code, 2);
    assert.equal(extra.stderr, 'coo: user show: unexpected argument "b@example.com"\nsee coo user --help\n');
  });
});
