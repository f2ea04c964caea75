/**
 * Browser test harness: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/ensure-chromium.sh) driven by playwright-core, against a REAL Coo
 * server from startImServer serving the built web client (web/dist, built by
 * scripts/ensure-web.sh before the tests).
 *
 *   const world = browserSuite({ server?, launch? })
 *                        inside describe(): one server and one Chromium for the suite,
 *                        started before its tests and closed after them, as
 *                        world.server and world.browser
 *   const browser = await launchBrowser()            one Chromium per test file
 *   const page = await openPage(browser, server, { locale?: 'en-US' | 'ja-JP', viewport? })
 *                        a new context (its own storage: another person or device)
 *                        on server.baseUrl, trusting the self-signed certificate
 *   await logInAs(page, user.address, user.password, { remember? })
 *                        fills the login form and waits for the app shell
 *   const page = await openAdminPage(browser, server, '/#/admin/mail', { locale?, viewport?, heading? })
 *                        a new page, logged in as server.admin, on an admin route
 *   await browser.close()
 *
 * Pages log their console errors and uncaught exceptions into `pageErrors(page)`;
 * tests assert it stays empty.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startImServer, type ImServerOptions, type ImTestServer } from './im-server.ts';

export const CHROMIUM = '/usr/bin/chromium';
const DIST = path.join(
  process.env.COO_WEB_DIR ?? path.resolve(import.meta.dirname, '../../web/dist'),
  'index.html',
);

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: run scripts/ensure-chromium.sh`);
  }
  if (!existsSync(DIST)) throw new Error('the web client is not built: run scripts/ensure-web.sh');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** The server and the Chromium of one suite of browser tests. */
export interface BrowserSuite {
  readonly server: ImTestServer;
  readonly browser: Browser;
}

export interface BrowserSuiteOptions {
  /** Options of startImServer; a function when they need something an earlier before hook made. */
  server?: ImServerOptions | (() => ImServerOptions);
  /** Starts the suite's Chromium: launchBrowser unless given. */
  launch?: () => Promise<Browser>;
}

/**
 * Called inside describe(): registers a before hook that starts the server,
 * then Chromium, and an after hook that closes Chromium, then the server.
 * Hooks the suite registers after this call run after these ones.
 */
export function browserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  let server: ImTestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await startImServer(typeof options.server === 'function' ? options.server() : options.server);
    browser = await (options.launch ?? launchBrowser)();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('server used outside a test');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('browser used outside a test');
      return browser;
    },
  };
}

export interface PageOptions {
  locale?: string;
  viewport?: { width: number; height: number };
}

const errors = new WeakMap<Page, string[]>();

export async function openPage(
  browser: Browser,
  server: ImTestServer,
  options: PageOptions = {},
): Promise<Page> {
  const contextOptions: BrowserContextOptions = {
    baseURL: server.baseUrl,
    ignoreHTTPSErrors: true,
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? { width: 1280, height: 800 },
  };
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const list: string[] = [];
  errors.set(page, list);
  page.on('pageerror', (error) => list.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') list.push(`console: ${message.text()}`);
  });
  await page.goto('/');
  return page;
}

/** Console errors and uncaught exceptions of the page so far. */
export function pageErrors(page: Page): string[] {
  return errors.get(page) ?? [];
}

export async function logInAs(
  page: Page,
  address: string,
  password: string,
  options: { remember?: boolean } = {},
): Promise<void> {
  await page.locator('input[name="address"]').fill(address);
  await page.locator('input[name="password"]').fill(password);
  const remember = page.locator('input[name="remember"]');
  if ((options.remember ?? true) !== (await remember.isChecked())) await remember.click();
  await page.locator('form button[type="submit"]').click();
  await page.locator('nav.rail').waitFor({ state: 'visible', timeout: 15_000 });
}

/**
 * A new page logged in as server.admin and moved to `route` of the console
 * ('/#/admin/settings'); with `heading`, once that heading (exact name) shows.
 */
export async function openAdminPage(
  browser: Browser,
  server: ImTestServer,
  route: string,
  options: PageOptions & { heading?: string } = {},
): Promise<Page> {
  const { heading, ...pageOptions } = options;
  const page = await openPage(browser, server, pageOptions);
  await logInAs(page, server.admin.address, server.admin.password);
  await page.goto(route);
  if (heading !== undefined) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  return page;
}

/**
 * Waits until `expression` is true in the page. Playwright's waitForFunction
 * re-evaluates a string with eval() from a timer, which the app's CSP
 * (script-src 'self') forbids; page.evaluate is not subject to it, so this
 * polls with that instead. A navigation in between is retried.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await page.evaluate<boolean>(`Boolean(${expression})`).catch((error: unknown) => {
      if (error instanceof Error && /context was destroyed|navigat/i.test(error.message)) return false;
      throw error;
    });
    if (done) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting in the page for: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
