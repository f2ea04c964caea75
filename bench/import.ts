/**
 * Imports a generated CSV of N users into a fresh data dir and prints the time.
 *
 *   npm run bench:import -- --users 10000 [--passwords N] [--database-url URL]
 *
 * The CSV looks like a Japanese company's: kanji names with kana readings,
 * some Latin names with katakana readings, about 100 org units three levels
 * deep, titles, phone numbers, some quotas and end dates. The data dir uses
 * the default argon2 parameters, so --passwords measures the real hashing
 * cost. With --database-url (a PostgreSQL server, e.g.
 * postgres://postgres@127.0.0.1:5432/postgres) a throw-away database is
 * created on that server and dropped afterwards; without, SQLite.
 *
 * The last line printed is JSON:
 *   {"users":N,"passwords":P,"import_s":…,"users_per_s":…,"rss_mb":…}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/loader.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { importUsers, USER_CSV_COLUMNS } from '../src/directory/user-csv.ts';
import { initDataDir } from '../src/init.ts';
import { openServices } from '../src/services.ts';
import { countUsers } from '../src/store/users.ts';
import { benchDatabase } from './support.ts';

// argon2 runs on the libuv threadpool, sized on its first use: one thread per core.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const SURNAMES: [string, string, string][] = [
  ['佐藤', 'さとう', 'sato'],
  ['鈴木', 'すずき', 'suzuki'],
  ['高橋', 'たかはし', 'takahashi'],
  ['田中', 'たなか', 'tanaka'],
  ['伊藤', 'いとう', 'ito'],
  ['渡辺', 'わたなべ', 'watanabe'],
  ['山本', 'やまもと', 'yamamoto'],
  ['中村', 'なかむら', 'nakamura'],
  ['小林', 'こばやし', 'kobayashi'],
  ['加藤', 'かとう', 'kato'],
  ['吉田', 'よしだ', 'yoshida'],
  ['山田', 'やまだ', 'yamada'],
  ['佐々木', 'ささき', 'sasaki'],
  ['松本', 'まつもと', 'matsumoto'],
  ['井上', 'いのうえ', 'inoue'],
  ['木村', 'きむら', 'kimura'],
];
const GIVEN_NAMES: [string, string, string][] = [
  ['太郎', 'たろう', 'taro'],
  ['花子', 'はなこ', 'hanako'],
  ['健一', 'けんいち', 'kenichi'],
  ['美咲', 'みさき', 'misaki'],
  ['大輔', 'だいすけ', 'daisuke'],
  ['陽菜', 'ひな', 'hina'],
  ['翔太', 'しょうた', 'shota'],
  ['さくら', 'さくら', 'sakura'],
  ['誠', 'まこと', 'makoto'],
  ['由美', 'ゆみ', 'yumi'],
  ['拓也', 'たくや', 'takuya'],
  ['愛', 'あい', 'ai'],
];
const LATIN_NAMES: [string, string, string][] = [
  ['John Smith', 'ジョン スミス', 'john.smith'],
  ['Maria Garcia', 'マリア ガルシア', 'maria.garcia'],
  ['David Chen', 'デビッド チェン', 'david.chen'],
  ['Emma Müller', 'エマ ミュラー', 'emma.mueller'],
  ['Nguyen Van An', 'グエン ヴァン アン', 'nguyen.an'],
  ['Sophie Martin', 'ソフィー マルタン', 'sophie.martin'],
];
const DIVISIONS = ['営業本部', '開発本部', '管理本部', '製造本部'];
const DEPARTMENTS = ['第一部', '第二部', '企画部', '業務部'];
const SECTIONS = ['一課', '二課', '三課', '推進課', 'サポート課'];
const TITLES = ['', '', '', '', '主任', '係長', '課長', '部長', 'Engineer', 'マネージャー'];
const QUOTAS = ['', '', '', '', '5G', '10G', '500M', 'unlimited'];

function parseOptions() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '10000' },
      passwords: { type: 'string', default: '0' },
      'database-url': { type: 'string' },
    },
  });
  const users = Number(values.users);
  const passwords = Number(values.passwords);
  if (
    !Number.isInteger(users) ||
    users < 1 ||
    !Number.isInteger(passwords) ||
    passwords < 0 ||
    passwords > users
  ) {
    throw new Error('usage: bench/import.ts --users N [--passwords P (0..N)] [--database-url postgres://…]');
  }
  return { users, passwords, databaseUrl: values['database-url'] };
}

/** CSV text of `count` users, the first `passwords` of them with a password. */
function generateCsv(count: number, passwords: number): string {
  const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
  const lines = [USER_CSV_COLUMNS.join(',')];
  for (let i = 0; i < count; i++) {
    let name: string;
    let reading: string;
    let local: string;
    if (i % 10 === 9) {
      [name, reading, local] = pick(LATIN_NAMES, i);
    } else {
      const surname = pick(SURNAMES, i * 7);
      const given = pick(GIVEN_NAMES, i * 5 + Math.floor(i / 16));
      [name, reading, local] = [
        `${surname[0]} ${given[0]}`,
        `${surname[1]} ${given[1]}`,
        `${surname[2]}.${given[2]}`,
      ];
    }
    // 4 × 4 × 5 = 80 sections under 16 departments under 4 divisions: 100 units.
    const unit = [
      pick(DIVISIONS, i),
      pick(DEPARTMENTS, Math.floor(i / 4)),
      pick(SECTIONS, Math.floor(i / 16)),
    ];
    const depth = i % 23 === 0 ? 2 : 3; // some people sit in a department, not a section
    const phone = `03-${String(1000 + (i % 9000)).padStart(4, '0')}-${String(i % 10000).padStart(4, '0')}`;
    const validUntil = i % 50 === 0 ? '2030-03-31' : '';
    const password = i < passwords ? `pw-${randomBytes(9).toString('base64url')}` : '';
    lines.push(
      [
        `${local}.${i}@example.jp`,
        name,
        reading,
        unit.slice(0, depth).join('/'),
        pick(TITLES, i * 3),
        phone,
        pick(QUOTAS, i),
        validUntil,
        password,
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const root = mkdtempSync(path.join(tmpdir(), 'coo-bench-import-'));
  const database = await benchDatabase(options.databaseUrl);
  try {
    const dataDir = path.join(root, 'data');
    await initDataDir({
      dataDir,
      domain: 'example.jp',
      admin: 'admin@example.jp',
      password: 'bench-admin-password',
      databaseUrl: database?.url,
    });
    const csv = Buffer.from(generateCsv(options.users, options.passwords), 'utf8');
    const services = await openServices(loadConfig(dataDir));
    try {
      const kind = services.store.kind;
      process.stderr.write(
        `importing ${options.users} users (${options.passwords} with passwords, ${(csv.length / 1024).toFixed(0)} KiB) on ${kind}, ` +
          `${availableParallelism()} cores\n`,
      );
      const started = performance.now();
      const report = await importUsers(services, csv, {
        actor: CLI_ACTOR,
        onProgress: (done, total) => {
          if (done % 1000 < 100 || done === total) process.stderr.write(`  ${done}/${total}\n`);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      if (report.errors.length > 0) {
        throw new Error(
          `import failed: ${report.errors
            .slice(0, 5)
            .map((e) => `line ${e.line}: ${e.message}`)
            .join('; ')}`,
        );
      }
      const stored = await countUsers(services.store.db);
      if (stored !== options.users + 1)
        throw new Error(`expected ${options.users + 1} users, found ${stored}`);
      process.stderr.write(
        `created ${report.created}, ${report.unitsCreated.length} units, import reports ${report.elapsedMs} ms\n`,
      );
      const result = {
        users: options.users,
        passwords: options.passwords,
        import_s: Number(seconds.toFixed(2)),
        users_per_s: Math.round(options.users / seconds),
        rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await services.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    await database?.drop();
  }
}

await main();
