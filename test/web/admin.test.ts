import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite, logInAs, openAdminPage, openPage, pageErrors } from '../support/browser.ts';
import { DOMAIN } from '../support/im-server.ts';

/** Fills the login form and submits it, without waiting for the app (the login may fail). */
async function submitLogin(page: Page, address: string, password: string): Promise<void> {
  await page.locator('input[name="address"]').fill(address);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button[type="submit"]').click();
}

function section(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name });
}

describe('web client: administration console', () => {
  const world = browserSuite();

  test('an admin creates a user, who logs in; after a password reset only the new password works', async () => {
    const admin = await openPage(world.browser, world.server);
    await logInAs(admin, world.server.admin.address, world.server.admin.password);
    await admin.locator('nav.rail').getByRole('link', { name: 'Administration' }).click();
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await admin.getByRole('heading', { name: 'TLS certificate' }).waitFor();

    await section(admin, 'Users').click();
    await admin.getByRole('link', { name: 'New user' }).click();
    const address = `web-newbie@${DOMAIN}`;
    const firstPassword = 'the first long password';
    await admin.getByLabel('Address').fill(address);
    await admin.getByLabel('Name', { exact: true }).fill('新人 花子');
    await admin.getByLabel('Password').fill(firstPassword);
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin
      .getByRole('status')
      .filter({ hasText: `User ${address} created.` })
      .waitFor();
    await admin.getByRole('heading', { name: 'Edit 新人 花子' }).waitFor();

    const user = await openPage(world.browser, world.server);
    await logInAs(user, address, firstPassword);
    await user.context().close();

    const secondPassword = 'a brand new long password';
    await admin.getByRole('button', { name: 'Reset password' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Reset password' });
    await dialog.getByLabel('New password', { exact: true }).fill(secondPassword);
    await dialog.getByLabel('New password again').fill(secondPassword);
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await admin.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    assert.equal(await admin.getByRole('dialog').count(), 0);

    const again = await openPage(world.browser, world.server);
    await submitLogin(again, address, firstPassword);
    await again.getByRole('alert').filter({ hasText: 'Wrong address or password' }).waitFor();
    await submitLogin(again, address, secondPassword);
    await again.locator('nav.rail').waitFor({ state: 'visible', timeout: 15_000 });
    await again.context().close();

    await section(admin, 'Audit log').click();
    await admin.getByLabel('Kind').selectOption({ label: 'User changes' });
    await admin.getByRole('button', { name: 'Apply' }).click();
    const created = admin
      .getByTestId('audit-table')
      .getByRole('row')
      .filter({ hasText: 'user.create' })
      .filter({
        hasText: address,
      });
    await created.waitFor();
    assert.match((await created.textContent()) ?? '', new RegExp(world.server.admin.address));
    await admin.getByRole('button', { name: 'Verify the chain' }).click();
    await admin.getByTestId('verify-result').filter({ hasText: 'The chain is intact' }).waitFor();
    assert.deepEqual(pageErrors(admin), []);
    await admin.context().close();
  });

  test('a CSV dry run lists the bad line by its number, and nothing is imported', async () => {
    const admin = await openAdminPage(world.browser, world.server, '/#/admin/users/import');
    const csv = `address,name,unit\ncsv-web-ok@${DOMAIN},OK,Web/Team\nthis is not an address,Bad,\n`;
    await admin
      .getByLabel('CSV file')
      .setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await admin.getByRole('button', { name: 'Check file' }).click();
    const problems = admin.getByTestId('import-problems');
    await problems.waitFor();
    const row = problems.getByRole('row').filter({ hasText: 'Line 3' });
    assert.match((await row.textContent()) ?? '', /address: /);
    assert.equal(await problems.getByRole('row').filter({ hasText: 'Line 2' }).count(), 0);
    assert.ok(await admin.getByRole('button', { name: 'Import', exact: true }).isDisabled());
    assert.equal((await world.server.call('GET', `/api/v1/users/csv-web-ok@${DOMAIN}`)).status, 404);

    const fixed = `address,name,unit\ncsv-web-ok@${DOMAIN},OK,Web/Team\n`;
    await admin
      .getByLabel('CSV file')
      .setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
    await admin.getByRole('button', { name: 'Check file' }).click();
    await admin.getByRole('status').filter({ hasText: '1 to create' }).waitFor();
    await admin.getByRole('button', { name: 'Import', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: 'Imported: 1 created' }).waitFor();
    assert.equal(
      (await world.server.call('GET', `/api/v1/users/csv-web-ok@${DOMAIN}`)).json.unit,
      'Web/Team',
    );
    assert.deepEqual(pageErrors(admin), []);
    await admin.context().close();
  });

  test('people move between units with "Move to…" and by drag and drop', async () => {
    const person = await world.server.createUser('web-mover', { name: 'Mover Person', unit: 'Moves/From' });
    await world.server.createUnit('Moves/To');
    await world.server.createUnit('Moves/Third');
    const admin = await openAdminPage(world.browser, world.server, '/#/admin/org/unit/Moves%2FFrom');
    const members = admin.getByRole('list', { name: 'People in From' });
    await members.getByText('Mover Person').waitFor();
    await members.getByRole('button', { name: 'Move to…' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Move Mover Person to another unit' });
    await dialog.getByLabel('New place').selectOption('Moves/To');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await admin.getByRole('status').filter({ hasText: 'Mover Person moved to Moves/To.' }).waitFor();
    assert.equal((await world.server.call('GET', `/api/v1/users/${person.address}`)).json.unit, 'Moves/To');

    await admin.locator('a[data-unit="Moves/To"]').click();
    const moved = admin
      .getByRole('list', { name: 'People in To' })
      .locator(`li[data-person="${person.address}"]`);
    await moved.dragTo(admin.locator('li.org-row', { has: admin.locator('a[data-unit="Moves/Third"]') }));
    await admin.getByRole('status').filter({ hasText: 'Mover Person moved to Moves/Third.' }).waitFor();
    assert.equal(
      (await world.server.call('GET', `/api/v1/users/${person.address}`)).json.unit,
      'Moves/Third',
    );
    assert.deepEqual(pageErrors(admin), []);
    await admin.context().close();
  });

  test('units are reordered and nested by drag and drop and by buttons, renamed and deleted', async () => {
    for (const path of ['Tree/A', 'Tree/B', 'Tree/C']) await world.server.createUnit(path);
    const admin = await openAdminPage(world.browser, world.server, '/#/admin/org/unit/Tree');
    const row = (path: string) =>
      admin.locator('li.org-row', { has: admin.locator(`a[data-unit="${path}"]`) });
    const children = async (path: string) => {
      const units = (await world.server.call('GET', '/api/v1/org')).json.units as {
        path: string;
        children: unknown[];
      }[];
      const unit = units.find((u) => u.path === path) as { children: { name: string }[] };
      return unit.children.map((child) => child.name);
    };
    await row('Tree/C').dragTo(row('Tree/A'), { targetPosition: { x: 40, y: 2 } });
    await admin.getByRole('status').filter({ hasText: 'Moved to Tree/C.' }).waitFor();
    assert.deepEqual(await children('Tree'), ['C', 'A', 'B']);
    const box = await row('Tree/B').boundingBox();
    await row('Tree/A').dragTo(row('Tree/B'), { targetPosition: { x: 40, y: (box?.height ?? 20) / 2 } });
    await admin.getByRole('status').filter({ hasText: 'Moved to Tree/B/A.' }).waitFor();
    assert.deepEqual(await children('Tree'), ['C', 'B']);

    await admin.locator('a[data-unit="Tree/B"]').click();
    await admin.getByRole('button', { name: 'Move up' }).click();
    await admin.getByRole('status').filter({ hasText: 'Moved to Tree/B.' }).waitFor();
    assert.deepEqual(await children('Tree'), ['B', 'C']);
    await admin.locator('a[data-unit="Tree/C"]').click();
    await admin.getByRole('button', { name: 'Rename' }).click();
    await admin.getByRole('textbox', { name: 'Name' }).fill('See');
    await admin.getByRole('form', { name: 'Rename' }).getByRole('button', { name: 'Rename' }).click();
    await admin.getByRole('status').filter({ hasText: 'Renamed to Tree/See.' }).waitFor();
    await admin.getByRole('button', { name: 'Delete' }).click();
    await admin.getByRole('button', { name: 'Delete See' }).click();
    await admin.getByRole('status').filter({ hasText: 'Unit Tree/See deleted.' }).waitFor();
    assert.deepEqual(await children('Tree'), ['B']);
    assert.deepEqual(pageErrors(admin), []);
    await admin.context().close();
  });

  test('a non-admin has no Administration, and the admin API answers their token 403', async () => {
    const plain = await world.server.createUser('web-plain');
    const page = await openPage(world.browser, world.server);
    await logInAs(page, plain.address, plain.password, { remember: true });
    assert.equal(await page.locator('nav.rail').getByRole('link', { name: 'Administration' }).count(), 0);
    await page.goto('/#/admin/users');
    await page.locator('nav.rail').waitFor();
    assert.equal(await page.getByTestId('admin').count(), 0);
    const status = await page.evaluate(async () => {
      const saved = JSON.parse(localStorage.getItem('coo.device') ?? '{}') as { token?: string };
      const response = await fetch('/api/v1/users', {
        headers: { authorization: `Bearer ${saved.token ?? ''}` },
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    });
    assert.equal(status.status, 403);
    assert.equal(status.body.error.code, 'AUTH_FORBIDDEN');
    await page.context().close();
  });
});
