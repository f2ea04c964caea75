/**
 * Measures the visibility policy on a company of N people and prints the figures.
 *
 *   node bench/visibility.ts [--users 10000] [--database-url postgres://…]
 *
 * The company: about 100 org units three levels deep, 30 groups (each person
 * in up to three), closed mode with 24 rules over units, groups and everyone,
 * one hidden unit. Measured after warm-up: visibleAmong and messageableAmong
 * over every user (the directory of a whole company, a memo to everyone),
 * for 50 different viewers; canMessage (asked on every message); and how
 * long loading the policy's snapshot takes (after every admin change).
 *
 * The last line printed is JSON:
 *   {"users":N,"units":…,"rules":…,"snapshot_load_ms":…,"visible_among_ms":{"p50":…,"p99":…},…}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { loadPolicySnapshot } from '../src/directory/visibility/snapshot-loader.ts';
import type { RulePartyInput } from '../src/directory/visibility/types.ts';
import { wireServices } from '../src/services.ts';
import { openStore, type DatabaseTarget } from '../src/store/database.ts';
import { addGroupMember, findGroupByName } from '../src/store/groups.ts';
import { findDomainByName } from '../src/store/domains.ts';
import { insertUser } from '../src/store/users.ts';
import { benchDatabase } from './support.ts';

const DIVISIONS = ['営業本部', '開発本部', '管理本部', '製造本部'];
const DEPARTMENTS = ['第一部', '第二部', '企画部', '業務部'];
const SECTIONS = ['一課', '二課', '三課', '推進課', 'サポート課'];
const GROUPS = 30;
const VIEWERS = 50;
const ROUNDS = 4;

function parseOptions() {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '10000' }, 'database-url': { type: 'string' } },
  });
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 100)
    throw new Error('usage: bench/visibility.ts --users N (≥ 100)');
  return { users, databaseUrl: values['database-url'] };
}

function unitPaths(): string[] {
  const paths: string[] = [];
  for (const division of DIVISIONS) {
    paths.push(division);
    for (const department of DEPARTMENTS) {
      paths.push(`${division}/${department}`);
      for (const section of SECTIONS) paths.push(`${division}/${department}/${section}`);
    }
  }
  return paths;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

const round2 = (ms: number) => Number(ms.toFixed(2));

async function main(): Promise<void> {
  const options = parseOptions();
  const root = mkdtempSync(path.join(tmpdir(), 'coo-bench-visibility-'));
  const database = await benchDatabase(options.databaseUrl);
  const target: DatabaseTarget = database
    ? { kind: 'postgres', url: database.url }
    : { kind: 'sqlite', file: path.join(root, 'coo.db') };
  const store = await openStore(target);
  try {
    const services = wireServices(store, {
      argon2_memory_kib: 1024,
      argon2_passes: 1,
      argon2_parallelism: 1,
      import_argon2_memory_kib: 1024,
      import_argon2_passes: 1,
      failure_window_seconds: 900,
      max_failures_per_account: 5,
      max_failures_per_address: 20,
    });
    const { directory } = services;
    process.stderr.write(`building a company of ${options.users} on ${store.kind}\n`);
    await directory.domains.add('example.jp', CLI_ACTOR);
    const units = unitPaths();
    for (const unit of units) await directory.org.add(unit, CLI_ACTOR);
    const tree = await directory.org.loadTree();
    const leaves = units.filter((u) => u.split('/').length === 3);
    const groupNames = Array.from({ length: GROUPS }, (_, i) => `group-${i}`);
    for (const name of groupNames) await directory.groups.add(name, '', CLI_ACTOR);

    const ids: number[] = [];
    await store.db.transaction().execute(async (tx) => {
      const domain = await findDomainByName(tx, 'example.jp');
      if (!domain) throw new Error('no domain');
      const groupIds = await Promise.all(
        groupNames.map(async (n) => (await findGroupByName(tx, n))?.id ?? 0),
      );
      const now = Date.now();
      for (let i = 0; i < options.users; i++) {
        // Most sit in a section; some in a department or division.
        const path = i % 23 === 0 ? (units[i % units.length] ?? '') : (leaves[i % leaves.length] ?? '');
        const row = await insertUser(tx, {
          address: `user${i}@example.jp`,
          local_part: `user${i}`,
          domain_id: domain.id,
          display_name: `User ${i}`,
          name_reading: '',
          title: '',
          phone: '',
          unit_id: tree.find(path)?.id ?? null,
          is_admin: i === 0 ? 1 : 0,
          disabled: 0,
          valid_from: null,
          valid_until: null,
          quota_bytes: null,
          password_hash: null,
          created_at: now,
          updated_at: now,
        });
        ids.push(row.id);
        for (let g = 0; g < i % 4; g++) {
          await addGroupMember(tx, groupIds[(i * 7 + g * 11) % GROUPS] ?? 0, row.id);
        }
      }
    });

    const admin = services.visibility.admin;
    await admin.setMode('closed', CLI_ACTOR);
    const unit = (path: string): RulePartyInput => ({ kind: 'unit', path });
    const group = (name: string): RulePartyInput => ({ kind: 'group', name });
    const rules: [RulePartyInput, RulePartyInput, 'see' | 'message', 'allow' | 'deny'][] = [
      [{ kind: 'everyone' }, { kind: 'everyone' }, 'see', 'allow'],
      [unit('管理本部'), { kind: 'everyone' }, 'message', 'allow'],
      [{ kind: 'everyone' }, unit('管理本部/業務部'), 'message', 'allow'],
      [group('group-1'), group('group-1'), 'message', 'allow'],
      [group('group-2'), group('group-2'), 'message', 'allow'],
      [group('group-3'), unit('開発本部'), 'message', 'allow'],
      [unit('製造本部/第一部'), unit('製造本部/第二部'), 'message', 'deny'],
      [group('group-4'), unit('営業本部/企画部'), 'see', 'deny'],
      [unit('営業本部/第二部/推進課'), group('group-5'), 'message', 'deny'],
    ];
    for (const division of DIVISIONS) {
      rules.push([unit(division), unit(division), 'message', 'allow']);
      for (const department of DEPARTMENTS.slice(0, 3)) {
        rules.push([unit(`${division}/${department}`), unit(`${division}/企画部`), 'message', 'allow']);
      }
    }
    for (const [subject, object, permission, effect] of rules) {
      await admin.addRule({ subject, object, permission, effect }, CLI_ACTOR);
    }
    await admin.hide('管理本部/企画部/一課', CLI_ACTOR);

    // Loading the snapshot: what every admin change costs the next question.
    const loads: number[] = [];
    let snapshot = await loadPolicySnapshot(store.db);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      snapshot = await loadPolicySnapshot(store.db);
      loads.push(performance.now() - started);
    }
    loads.sort((a, b) => a - b);

    const policy = services.visibility;
    const viewers = ids.filter((_, i) => i % Math.floor(ids.length / VIEWERS) === 1).slice(0, VIEWERS);
    // Load the policy's snapshot first: "cold" below is the first meeting of each pair of classes.
    await policy.canSee(ids[0] ?? 0, ids[1] ?? 0);
    const cold: number[] = [];
    for (const viewer of viewers) {
      const started = performance.now();
      await policy.visibleAmong(viewer, ids);
      cold.push(performance.now() - started);
    }
    const visible: number[] = [];
    const messageable: number[] = [];
    let seen = 0;
    let reachable = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const viewer of viewers) {
        let started = performance.now();
        seen += (await policy.visibleAmong(viewer, ids)).size;
        visible.push(performance.now() - started);
        started = performance.now();
        reachable += (await policy.messageableAmong(viewer, ids)).size;
        messageable.push(performance.now() - started);
      }
    }
    visible.sort((a, b) => a - b);
    messageable.sort((a, b) => a - b);
    cold.sort((a, b) => a - b);

    const calls = 200_000;
    let allowed = 0;
    const started = performance.now();
    for (let i = 0; i < calls; i++) {
      if (await policy.canMessage(viewers[i % viewers.length] ?? 0, ids[(i * 7919) % ids.length] ?? 0))
        allowed++;
    }
    const perCallUs = ((performance.now() - started) * 1000) / calls;

    process.stderr.write(
      `${snapshot.userCount} users in ${snapshot.classCount} classes; ` +
        `a viewer sees ${Math.round(seen / visible.length)} and may message ${Math.round(reachable / messageable.length)} ` +
        `of ${ids.length} on average; canMessage allowed ${allowed} of ${calls}\n`,
    );
    const result = {
      users: ids.length,
      database: store.kind,
      units: units.length,
      groups: GROUPS,
      rules: rules.length,
      classes: snapshot.classCount,
      snapshot_load_ms: round2(percentile(loads, 50)),
      visible_among_cold_ms: { p50: round2(percentile(cold, 50)), p99: round2(percentile(cold, 99)) },
      visible_among_ms: { p50: round2(percentile(visible, 50)), p99: round2(percentile(visible, 99)) },
      messageable_among_ms: {
        p50: round2(percentile(messageable, 50)),
        p99: round2(percentile(messageable, 99)),
      },
      can_message_us: Number(perCallUs.toFixed(3)),
      rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
    await database?.drop();
  }
}

await main();
