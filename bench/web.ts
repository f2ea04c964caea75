/**
 * The web client's performance budget, measured on the built client
 * (COO_WEB_DIR, else web/dist) in Chromium against a real `coo serve`.
 *
 *   npm run bench:web [-- --users 10000 --large-unit 2000 --messages 275]
 *
 * - initial_js_gzip_kb: the JavaScript index.html loads (its module script
 *   and modulepreloads), gzipped with zlib. Budget: < 250 KB.
 * - org_open_ms: 10,000 people in ~160 units of 50 and one unit of 2,000;
 *   logged in as the administrator, from setting `#/org/unit/<the large unit>`
 *   to its first `[data-testid="person-row"]` on screen (org_tree_ms: to
 *   `[data-testid="org-tree"]`). Budget: < 1,000 ms.
 * - scroll_fps: frames per second (requestAnimationFrame) while the large
 *   unit's member list scrolls continuously for 2 s; chat_scroll_fps the same
 *   for a chat's `[data-testid="message-list"]` of a few hundred messages.
 *   Budget: 60.
 *
 * A measurement whose element never appears prints null, so the benchmark
 * runs while parts of the client are still missing. The last line printed is JSON:
 *   {"initial_js_gzip_kb":…,"org_open_ms":…,"scroll_fps":…,"org_tree_ms":…,
 *    "chat_scroll_fps":…,"initial_css_gzip_kb":…,"shell_ms":…,"users":…}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { loadConfig } from '../src/config/loader.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { importUsers } from '../src/directory/user-csv.ts';
import { initDataDir } from '../src/init.ts';
import { openServices } from '../src/services.ts';
import { freePort, onlyListeners } from './support.ts';

const root = path.resolve(import.meta.dirname, '..');
const webDir = process.env.COO_WEB_DIR ?? path.join(root, 'web/dist');
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    'unit-size': { type: 'string', default: '50' },
    'large-unit': { type: 'string', default: '2000' },
    messages: { type: 'string', default: '275' },
  },
});
const userCount = Number(values.users);
const unitSize = Number(values['unit-size']);
const largeUnitSize = Number(values['large-unit']);
const DOMAIN = 'bench.example';
const ADMIN = `admin@${DOMAIN}`;
const ADMIN_PASSWORD = 'bench admin password';
const LARGE_UNIT = '本社/営業本部';
const CHAT_UNIT = '本社/チャット';
const LARGE_UNIT_NAME = '営業部員';
/** Senders of the chat: within the gateway's burst of 60 frames each, so seeding is quick. */
const CHATTERS = 5;
const CHATTER_PASSWORD = 'bench chatter password';

// ---------------------------------------------------------------- build facts

const gzipKb = (file: string) =>
  Number((gzipSync(readFileSync(path.join(webDir, file))).length / 1024).toFixed(1));

/** The gzipped size of the scripts and styles index.html loads before anything else. */
function initialBundle(): { js: number; css: number } {
  const html = readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const urls = (pattern: RegExp) => [...new Set([...html.matchAll(pattern)].map((m) => m[1] ?? ''))];
  const scripts = urls(/<script[^>]*\stype="module"[^>]*\ssrc="\/([^"]+)"/g);
  const preloads = urls(/<link[^>]*\srel="modulepreload"[^>]*\shref="\/([^"]+)"/g);
  const styles = urls(/<link[^>]*\srel="stylesheet"[^>]*\shref="\/([^"]+)"/g);
  const sum = (files: string[]) => Number(files.reduce((kb, file) => kb + gzipKb(file), 0).toFixed(1));
  return { js: sum([...scripts, ...preloads]), css: sum(styles) };
}

// ---------------------------------------------------------------- the server

function csvOfUsers(count: number): Buffer {
  const lines = ['address,name,reading,unit'];
  for (let i = 0; i < count; i++) {
    const unit =
      i < largeUnitSize
        ? LARGE_UNIT
        : `本社/部${Math.floor((i - largeUnitSize) / unitSize / 10)}/課${Math.floor((i - largeUnitSize) / unitSize)}`;
    // The large unit's people are named apart, so the benchmark knows their rows when it sees them.
    const [name, reading] = i < largeUnitSize ? [LARGE_UNIT_NAME, 'えいぎょう'] : ['利用者', 'りようしゃ'];
    lines.push(`u${i}@${DOMAIN},${name} ${i},${reading} ${i},${unit}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

interface Prepared {
  largeUnitId: number;
  adminId: number;
  chatters: string[];
}

async function prepare(dataDir: string, port: number): Promise<Prepared> {
  await initDataDir({
    dataDir,
    domain: DOMAIN,
    admin: ADMIN,
    password: ADMIN_PASSWORD,
    listen: onlyListeners({ http: port }),
  });
  const services = await openServices(loadConfig(dataDir));
  try {
    const report = await importUsers(services, csvOfUsers(userCount), { actor: CLI_ACTOR });
    if (report.errors.length) throw new Error(`import: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const chatters: string[] = [];
    await services.directory.org.add(CHAT_UNIT, CLI_ACTOR, { createParents: true });
    for (let i = 0; i < CHATTERS; i++) {
      const address = `chatter${i}@${DOMAIN}`;
      await services.directory.users.create(
        address,
        { displayName: `Chatter ${i}`, unit: CHAT_UNIT },
        CLI_ACTOR,
        { password: CHATTER_PASSWORD },
      );
      chatters.push(address);
    }
    const largeUnit = (await services.directory.org.loadTree()).find(LARGE_UNIT);
    if (!largeUnit) throw new Error(`no unit ${LARGE_UNIT} after the import`);
    const admin = await services.directory.users.requireRow(ADMIN);
    return { largeUnitId: largeUnit.id, adminId: admin.id, chatters };
  } finally {
    await services.close();
  }
}

function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const server = spawn(
    path.join(root, 'node_modules/.bin/node'),
    [path.join(root, 'src/cli/main.ts'), 'serve', '--data', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes(`"listener":"http"`) && output.includes(String(port))) resolve(server);
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) => reject(new Error(`server exited ${String(code)}: ${output.slice(-2000)}`)));
  });
}

/** A minimal messenger client: hello, then requests answered by id. */
async function messengerClient(url: string, ca: string) {
  const socket = new WebSocket(url, { ca });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (frame: { t: string; data?: unknown; message?: string }) => void>();
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { t: string; re?: number; data?: unknown };
    if (frame.re !== undefined) pending.get(frame.re)?.(frame);
  });
  const request = <T>(t: string, body: Record<string, unknown> = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (frame) => {
        pending.delete(id);
        if (frame.t === 'ok') resolve(frame.data as T);
        else reject(new Error(`${t}: ${String(frame.message)}`));
      });
      socket.send(JSON.stringify({ ...body, t, id }));
    });
  return { request, close: () => socket.close() };
}

/** A group of the chatters and the administrator with a few hundred messages of varied length. */
async function seedChat(port: number, ca: string, prepared: Prepared, total: number): Promise<number> {
  const url = `wss://127.0.0.1:${port}/ws`;
  const clients = await Promise.all(prepared.chatters.map(() => messengerClient(url, ca)));
  try {
    const hellos = await Promise.all(
      clients.map((client, i) =>
        client.request<{ user: { id: number } }>('hello', {
          auth: { kind: 'password', login: prepared.chatters[i], password: CHATTER_PASSWORD },
          device: { kind: 'desktop', name: 'bench' },
        }),
      ),
    );
    const [first] = clients;
    if (!first) throw new Error('no chatter');
    const conversation = await first.request<{ id: number }>('conversation.create', {
      kind: 'group',
      title: 'Bench chat',
      userIds: [prepared.adminId, ...hellos.slice(1).map((hello) => hello.user.id)],
    });
    const perClient = Math.ceil(total / clients.length);
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < perClient; i++) {
          const line = `メッセージ ${c}-${i}: 明日の打ち合わせの資料を共有します。`;
          await client.request('message.send', {
            conversationId: conversation.id,
            text: i % 7 === 0 ? `${line}\n${line}\n${line}` : line.repeat(1 + (i % 3)),
          });
        }
      }),
    );
    return conversation.id;
  } finally {
    for (const client of clients) client.close();
  }
}

// ---------------------------------------------------------------- in the browser

/** Installed as window.cooBench: measurements on the page's own clock, frame by frame. */
const PAGE_HELPERS = String.raw`(() => {
  const onScreen = (element) => {
    if (!element) return false;
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight;
  };
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const scrollerOf = (element) => {
    const scrolls = (node) => {
      const style = getComputedStyle(node);
      return /(auto|scroll|overlay)/.test(style.overflowY) && node.scrollHeight > node.clientHeight + 1;
    };
    for (let node = element; node && node !== document.body; node = node.parentElement) if (scrolls(node)) return node;
    for (const node of element.querySelectorAll('*')) if (scrolls(node)) return node;
    return document.scrollingElement;
  };
  window.cooBench = {
    /** ms from setting the hash to each target (CSS, and a text it contains) on screen; null: never, within the timeout. */
    async open(hash, targets, timeoutMs) {
      const found = targets.map(() => null);
      const start = performance.now();
      location.hash = hash;
      while (found.includes(null) && performance.now() - start < timeoutMs) {
        await frame();
        targets.forEach(({ css, text }, i) => {
          if (found[i] !== null) return;
          const seen = [...document.querySelectorAll(css)].some((element) => (!text || element.textContent.includes(text)) && onScreen(element));
          if (seen) found[i] = Math.round(performance.now() - start);
        });
      }
      return found;
    },
    /** Frames per second while the selected list scrolls by a step every frame, turning at its ends. */
    async scrollFps(selector, ms, step) {
      const element = document.querySelector(selector);
      if (!element) return null;
      const scroller = scrollerOf(element);
      if (!scroller || scroller.scrollHeight <= scroller.clientHeight + 1) return null;
      let frames = 0;
      let longFrames = 0;
      let previous = await frame();
      const start = previous;
      while (previous - start < ms) {
        scroller.scrollTop += step;
        const atEnd = step > 0 ? scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1 : scroller.scrollTop <= 0;
        if (atEnd) step = -step;
        const now = await frame();
        frames++;
        if (now - previous > 1000 / 60 * 1.5) longFrames++;
        previous = now;
      }
      return { fps: Math.round((frames * 1000) / (previous - start) * 10) / 10, longFrames };
    },
    /** Waits until a list has more content than fits, or the timeout passes. */
    async scrollable(selector, timeoutMs) {
      const start = performance.now();
      while (performance.now() - start < timeoutMs) {
        const element = document.querySelector(selector);
        const scroller = element && scrollerOf(element);
        if (scroller && scroller.scrollHeight > scroller.clientHeight + 1) return true;
        await frame();
      }
      return false;
    },
  };
})()`;

async function measureInBrowser(baseUrl: string, prepared: Prepared, chatId: number | null) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({
      baseURL: baseUrl,
      ignoreHTTPSErrors: true,
      locale: 'ja-JP',
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const shellStart = performance.now();
    await page.goto('/');
    await page.locator('input[name="address"]').waitFor({ state: 'visible' });
    const shellMs = Math.round(performance.now() - shellStart);
    await page.locator('input[name="address"]').fill(ADMIN);
    await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
    await page.locator('form button[type="submit"]').click();
    await page.locator('nav.rail').waitFor({ state: 'visible', timeout: 30_000 });
    await page.evaluate(PAGE_HELPERS);

    const [treeMs, rowMs] = await openRoute(page, `#/org/unit/${prepared.largeUnitId}`, [
      { css: '[data-testid="org-tree"]' },
      { css: '[data-testid="person-row"]', text: LARGE_UNIT_NAME },
    ]);
    console.error(`org chart: tree ${String(treeMs)} ms, first person of the large unit ${String(rowMs)} ms`);
    const orgScroll = rowMs === null ? null : await scrollFps(page, '[data-testid="person-row"]');
    console.error(`scrolling the large unit: ${JSON.stringify(orgScroll)}`);

    let chatScroll: { fps: number; longFrames: number } | null = null;
    if (chatId !== null) {
      const [listMs] = await openRoute(page, `#/chats/${chatId}`, [{ css: '[data-testid="message-list"]' }]);
      const ready =
        listMs !== null &&
        (await page.evaluate(`window.cooBench.scrollable('[data-testid="message-list"]', 5000)`));
      chatScroll = ready ? await scrollFps(page, '[data-testid="message-list"]', -40) : null;
      console.error(`chat: list ${String(listMs)} ms, scrolling ${JSON.stringify(chatScroll)}`);
    }
    return { shellMs, treeMs, rowMs, orgScroll, chatScroll };
  } finally {
    await browser.close();
  }
}

/** ms from setting the hash to each target on screen; null for one that never shows. */
async function openRoute(
  page: Page,
  hash: string,
  targets: { css: string; text?: string }[],
): Promise<(number | null)[]> {
  return page.evaluate(`window.cooBench.open(${JSON.stringify(hash)}, ${JSON.stringify(targets)}, 10000)`);
}

async function scrollFps(
  page: Page,
  selector: string,
  step = 40,
): Promise<{ fps: number; longFrames: number } | null> {
  return page.evaluate(`window.cooBench.scrollFps(${JSON.stringify(selector)}, 2000, ${step})`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const bundle = initialBundle();
  console.error(`initial JS ${bundle.js} KB gzipped, CSS ${bundle.css} KB`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coo-bench-web-'));
  const port = await freePort();
  let server: ChildProcess | undefined;
  try {
    console.error(
      `importing ${userCount} users (one unit of ${largeUnitSize}, the rest in units of ${unitSize})…`,
    );
    const prepared = await prepare(dataDir, port);
    const ca = readFileSync(path.join(dataDir, 'tls/cert.pem'), 'utf8');
    server = await startServer(dataDir, port);
    const chatId = await seedChat(port, ca, prepared, Number(values.messages)).catch((error: unknown) => {
      console.error('the chat could not be seeded:', error);
      return null;
    });
    const measured = await measureInBrowser(`https://127.0.0.1:${port}`, prepared, chatId);
    const result = {
      initial_js_gzip_kb: bundle.js,
      org_open_ms: measured.rowMs,
      scroll_fps: measured.orgScroll?.fps ?? null,
      org_tree_ms: measured.treeMs,
      org_scroll_long_frames: measured.orgScroll?.longFrames ?? null,
      chat_scroll_fps: measured.chatScroll?.fps ?? null,
      initial_css_gzip_kb: bundle.css,
      shell_ms: measured.shellMs,
      users: userCount,
    };
    console.log(JSON.stringify(result));
  } finally {
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((resolve) => server?.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
