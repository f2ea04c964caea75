import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiGroup } from '../../src/protocol/admin-api.ts';
import type { ApiVisibilityRules } from '../../src/protocol/visibility.ts';
import { browserSuite, openAdminPage, pageErrors } from '../support/browser.ts';
import type { ImTestServer, TestUser } from '../support/im-server.ts';

const groupPath = (name: string) => `/api/v1/groups/${encodeURIComponent(name)}`;

async function serverGroups(server: ImTestServer): Promise<ApiGroup[]> {
  const response = await server.call('GET', '/api/v1/groups');
  assert.equal(response.status, 200, response.text);
  return (response.json as { groups: ApiGroup[] }).groups;
}

async function serverMembers(server: ImTestServer, name: string): Promise<string[]> {
  const response = await server.call('GET', `${groupPath(name)}/members`);
  assert.equal(response.status, 200, response.text);
  return (response.json as { members: string[] }).members;
}

/** The page's errors, but for the browser's own line about each refused request (4xx). */
function unexpectedErrors(page: Page): string[] {
  return pageErrors(page).filter((line) => !/Failed to load resource: .* status of 4\d\d/.test(line));
}

describe('web client: administration console, groups', () => {
  const world = browserSuite();
  let taro: TestUser;
  let hanako: TestUser;

  before(async () => {
    taro = await world.server.createUser('taro', { name: '山田 太郎', unit: '営業部' });
    hanako = await world.server.createUser('hanako', { name: '佐藤 花子', title: 'Designer' });
  });

  async function openGroups(): Promise<Page> {
    const page = await openAdminPage(world.browser, world.server, '/#/admin');
    await page
      .getByRole('navigation', { name: 'Administration sections' })
      .getByRole('link', { name: 'Groups' })
      .click();
    await page.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
    return page;
  }

  test('an admin creates a group, adds two people, renames it, removes one, and deletes it', async () => {
    const page = await openGroups();
    await page.getByText('No groups yet.').waitFor();

    const form = page.getByRole('form', { name: 'New group' });
    await form.getByLabel('Name').fill('-launch');
    await form.getByRole('button', { name: 'Create group' }).click();
    assert.equal(await form.locator('[data-problem]').getAttribute('data-problem'), 'characters');
    assert.deepEqual(await serverGroups(world.server), []);

    await form.getByLabel('Name').fill('Launch');
    await form.getByLabel('Description').fill('the launch team');
    await form.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'Launch', exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Group Launch created.' }).waitFor();
    assert.deepEqual(await serverGroups(world.server), [
      { name: 'Launch', description: 'the launch team', members: 0 },
    ]);
    // A rule naming the group, made elsewhere: it must follow the rename and be named by the delete dialog.
    const rule = await world.server.call('POST', '/api/v1/rules', {
      body: {
        subject: { kind: 'group', name: 'Launch' },
        object: { kind: 'everyone' },
        permission: 'see',
        effect: 'allow',
      },
    });
    assert.equal(rule.status, 201, rule.text);

    const search = page.getByRole('searchbox', { name: 'Search users' });
    const results = page.getByRole('list', { name: 'Search users' });
    await search.fill('山田');
    await results.getByRole('button', { name: 'Add 山田 太郎 to Launch' }).click();
    await page.getByRole('status').filter({ hasText: '山田 太郎 added to Launch.' }).waitFor();
    await results.locator(`li[data-user="${taro.address}"]`).getByText('Member').waitFor();
    await search.fill('designer');
    await search.press('Enter');
    await results.getByRole('button', { name: 'Add 佐藤 花子 to Launch' }).click();
    await page.getByRole('status').filter({ hasText: '佐藤 花子 added to Launch.' }).waitFor();
    const members = page.getByTestId('group-members');
    await members.locator(`li[data-member="${hanako.address}"]`).waitFor();
    assert.deepEqual(await serverMembers(world.server, 'Launch'), [hanako.address, taro.address].sort());

    await page.getByRole('button', { name: 'Rename' }).click();
    const rename = page.getByRole('form', { name: 'Rename or describe Launch' });
    await rename.getByLabel('Name').fill('発売チーム');
    await rename.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: '発売チーム', exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Group Launch is now 発売チーム.' }).waitFor();
    assert.equal(decodeURIComponent(new URL(page.url()).hash), '#/admin/groups/発売チーム');
    assert.deepEqual(await serverGroups(world.server), [
      { name: '発売チーム', description: 'the launch team', members: 2 },
    ]);
    assert.equal((await world.server.call('GET', `${groupPath('Launch')}/members`)).status, 404);

    await members.getByRole('button', { name: `Remove ${taro.address} from 発売チーム` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${taro.address} left 発売チーム.` })
      .waitFor();
    await members.locator(`li[data-member="${taro.address}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await serverMembers(world.server, '発売チーム'), [hanako.address]);

    await page.getByRole('button', { name: 'Delete group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the group 発売チーム?' });
    const said = await dialog.innerText();
    assert.match(said, /Its member stays a user/);
    assert.match(said, /group:発売チーム may see everyone/);
    await dialog.getByRole('button', { name: 'Delete the group' }).click();
    await page.getByRole('status').filter({ hasText: 'Group 発売チーム deleted.' }).waitFor();
    await page.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
    assert.deepEqual(await serverGroups(world.server), []);
    const rules = (await world.server.call('GET', '/api/v1/rules')).json as ApiVisibilityRules;
    assert.equal(rules.rules.filter((r) => r.text.includes('発売チーム')).length, 0);
    assert.equal((await world.server.call('GET', `/api/v1/users/${hanako.address}`)).status, 200);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('the list shows member and rule counts, and filters', async () => {
    for (const name of ['Design', 'Sales team']) {
      assert.equal((await world.server.call('POST', '/api/v1/groups', { body: { name } })).status, 201);
    }
    await world.server.call('POST', `${groupPath('Design')}/members`, { body: { address: taro.address } });
    const page = await openGroups();
    const table = page.getByTestId('group-table');
    const design = table.locator('tr[data-group="Design"]');
    await design.waitFor();
    assert.match(await design.innerText(), /1 member/);
    await page.getByRole('searchbox', { name: 'Filter groups' }).fill('sales');
    await design.waitFor({ state: 'detached' });
    assert.equal(await table.locator('tr[data-group="Sales team"]').count(), 1);
    await table.getByRole('link', { name: 'Sales team' }).click();
    await page.getByRole('heading', { name: 'Sales team', exact: true }).waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });

  test('a refusal from the server is shown: the group was deleted meanwhile', async () => {
    const page = await openGroups();
    await page.getByTestId('group-table').getByRole('link', { name: 'Design' }).click();
    await page.getByRole('heading', { name: 'Design', exact: true }).waitFor();
    await page.getByTestId('group-members').locator(`li[data-member="${taro.address}"]`).waitFor();
    assert.equal((await world.server.call('DELETE', groupPath('Design'))).status, 204);

    await page.getByRole('searchbox', { name: 'Search users' }).fill('佐藤');
    await page.getByRole('button', { name: 'Add 佐藤 花子 to Design' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown group "Design"' }).waitFor();
    assert.equal(
      (await serverGroups(world.server)).some((g) => g.name === 'Design'),
      false,
    );
    assert.deepEqual(unexpectedErrors(page), []);
    await page.context().close();
  });

  test('in Japanese on a phone, the groups screen fits the width and speaks Japanese', async () => {
    const page = await openAdminPage(world.browser, world.server, '/#/admin/groups', {
      locale: 'ja-JP',
      viewport: { width: 375, height: 740 },
      heading: 'グループ',
    });
    await page.getByRole('form', { name: '新しいグループ' }).waitFor();
    await page.getByTestId('group-table').locator('tr[data-group="Sales team"]').waitFor();
    const sideways = 'document.documentElement.scrollWidth - window.innerWidth';
    const overflow = Number(await page.evaluate(sideways));
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await page.goto(`/#/admin/groups/${encodeURIComponent('Sales team')}`);
    await page.getByRole('button', { name: 'グループを削除' }).waitFor();
    const inGroup = Number(await page.evaluate(sideways));
    assert.ok(inGroup <= 0, `the group page scrolls sideways by ${inGroup}px`);
    assert.deepEqual(pageErrors(page), []);
    await page.context().close();
  });
});
