import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiDomain } from '../../src/protocol/admin-api.ts';
import { browserSuite, openAdminPage, pageErrors, waitInPage } from '../support/browser.ts';
import { DOMAIN, type ImTestServer } from '../support/im-server.ts';

const NEW_DOMAIN = 'example.org';
const ALIAS = 'example.jp';

async function serverDomains(server: ImTestServer): Promise<ApiDomain[]> {
  const response = await server.call('GET', '/api/v1/domains');
  assert.equal(response.status, 200, response.text);
  return (response.json as { domains: ApiDomain[] }).domains;
}

/** The page's errors, but for the browser's own line about each refused request (4xx). */
function unexpectedErrors(page: Page): string[] {
  return pageErrors(page).filter((line) => !/Failed to load resource: .* status of 4\d\d/.test(line));
}

describe('web client: administration console, mail domains', () => {
  const world = browserSuite();

  async function openMail(): Promise<Page> {
    const page = await openAdminPage(world.browser, world.server, '/#/admin/mail', { heading: 'Domains' });
    await page.locator(`tr[data-domain="${DOMAIN}"]`).waitFor();
    return page;
  }

  test('a malformed name is refused in the form, and nothing reaches the server', async () => {
    const page = await openMail();
    const form = page.getByRole('form', { name: 'Add a domain' });
    await form.getByLabel('Domain name').fill('mail example.org');
    await form.getByRole('button', { name: 'Add domain' }).click();
    const problem = form.locator('[data-problem]');
    assert.equal(await problem.getAttribute('data-problem'), 'characters');
    assert.match(await problem.innerText(), /letters, digits, hyphens and dots only/);
    assert.equal(await form.getByLabel('Domain name').getAttribute('aria-invalid'), 'true');
    // The field is described by the problem, so a screen reader reads it on focus.
    const describedBy = (await form.getByLabel('Domain name').getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(' ').includes((await problem.getAttribute('id')) ?? '-'));

    await form.getByLabel('Domain name').fill(DOMAIN.toUpperCase());
    await form.getByRole('button', { name: 'Add domain' }).click();
    assert.equal(await problem.getAttribute('data-problem'), 'exists');
    assert.deepEqual(
      (await serverDomains(world.server)).map((d) => d.name),
      [DOMAIN],
    );
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('the admin adds a domain and an alias, sees the DKIM record, makes it default, removes the alias', async () => {
    const page = await openMail();
    const panel = page.getByTestId('mail-domains');
    const form = page.getByRole('form', { name: 'Add a domain' });

    await form.getByLabel('Domain name').fill(` ${NEW_DOMAIN.toUpperCase()} `);
    await form.getByRole('button', { name: 'Add domain' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `${NEW_DOMAIN} added.` })
      .waitFor();
    const added = (await serverDomains(world.server)).find((d) => d.name === NEW_DOMAIN);
    assert.ok(added, 'the server has the new domain');
    assert.equal(added.aliasOf, null);
    assert.equal(added.isDefault, false);
    assert.match(added.dkimSelector ?? '', /\S/);

    // The DNS view below reloaded: the new domain's DKIM key, under its own selector.
    const dns = page.getByTestId('mail-dns').locator(`[data-domain="${NEW_DOMAIN}"]`);
    const dkim = dns.getByRole('row').filter({ hasText: `${added.dkimSelector}._domainkey.${NEW_DOMAIN}.` });
    await dkim.waitFor();
    assert.match(await dkim.innerText(), /v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{100,}/);
    await panel.getByRole('button', { name: `DNS records of ${NEW_DOMAIN}` }).click();
    await waitInPage(page, `document.activeElement?.id === 'dns-${NEW_DOMAIN}'`);

    await form.getByLabel('Domain name').fill(ALIAS);
    await form.getByRole('radio', { name: 'An alias of another domain' }).check();
    await form.getByLabel('Alias of', { exact: true }).selectOption(NEW_DOMAIN);
    await form.getByRole('button', { name: 'Add domain' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `${ALIAS} added as an alias of ${NEW_DOMAIN}.` })
      .waitFor();
    const aliasRow = panel.locator(`tr[data-domain="${ALIAS}"]`);
    assert.match(await aliasRow.innerText(), new RegExp(`Alias of ${NEW_DOMAIN.replace('.', '\\.')}`));
    const alias = (await serverDomains(world.server)).find((d) => d.name === ALIAS);
    assert.equal(alias?.aliasOf, NEW_DOMAIN);
    await page.getByTestId('mail-dns').locator(`[data-domain="${ALIAS}"]`).waitFor();

    await panel.getByRole('button', { name: `Make ${NEW_DOMAIN} the default domain` }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `${NEW_DOMAIN} is now the default domain.` })
      .waitFor();
    const afterDefault = await serverDomains(world.server);
    assert.equal(afterDefault.find((d) => d.name === NEW_DOMAIN)?.isDefault, true);
    assert.equal(afterDefault.find((d) => d.name === DOMAIN)?.isDefault, false);
    await panel.locator(`tr[data-domain="${NEW_DOMAIN}"]`).getByText('Default', { exact: true }).waitFor();
    assert.equal(
      await panel.locator(`tr[data-domain="${DOMAIN}"]`).getByText('Default', { exact: true }).count(),
      0,
    );

    await panel.getByRole('button', { name: `Remove ${ALIAS}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove ${ALIAS}?` });
    assert.match(
      await dialog.innerText(),
      new RegExp(`keep their @${NEW_DOMAIN.replace('.', '\\.')} addresses`),
    );
    await dialog.getByRole('button', { name: 'Remove the domain' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `${ALIAS} removed.` })
      .waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0);
    await aliasRow.waitFor({ state: 'detached' });
    await page.getByTestId('mail-dns').locator(`[data-domain="${ALIAS}"]`).waitFor({ state: 'detached' });
    assert.deepEqual((await serverDomains(world.server)).map((d) => d.name).sort(), [DOMAIN, NEW_DOMAIN]);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('the server refuses to remove a domain with users, and the default domain: its message is shown', async () => {
    const page = await openMail();
    const panel = page.getByTestId('mail-domains');

    // example.com still has the administrator (and the test users).
    await panel.getByRole('button', { name: `Remove ${DOMAIN}` }).click();
    let dialog = page.getByRole('dialog', { name: `Remove ${DOMAIN}?` });
    assert.match(await dialog.innerText(), /The server refuses while the domain still has users/);
    await dialog.getByRole('button', { name: 'Remove the domain' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: new RegExp(`domain "${DOMAIN}" still has \\d+ users?; remove them first`) })
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByRole('dialog').count(), 0);

    // example.org, made the default by the test before, has no users but is the default.
    await panel.getByRole('button', { name: `Remove ${NEW_DOMAIN}` }).click();
    dialog = page.getByRole('dialog', { name: `Remove ${NEW_DOMAIN}?` });
    assert.match(await dialog.innerText(), /This is the default domain/);
    await dialog.getByRole('button', { name: 'Remove the domain' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: `"${NEW_DOMAIN}" is the default domain; make another the default first` })
      .waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    const left = await serverDomains(world.server);
    assert.deepEqual(left.map((d) => d.name).sort(), [DOMAIN, NEW_DOMAIN]);
    assert.equal(left.find((d) => d.name === NEW_DOMAIN)?.isDefault, true);
    assert.deepEqual(unexpectedErrors(page), []);
    await page.context().close();
  });
});
