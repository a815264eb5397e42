// A group of two browser users and one `dim` CLI user: created in the browser, messages from each of the
// three reach the other two, and a member who leaves is taken off everyone's list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dim, Listener, newCliUser, type CliUser } from './_cli.js';
import {
  addContact,
  createWebUser,
  expectNoErrors,
  launchBrowser,
  missingPrerequisite,
  sendText,
  startStation,
  waitForIncoming,
  type StationProcess,
  type WebUser,
} from './_harness.js';

const missing = missingPrerequisite();
if (missing !== undefined && process.env['CI']) throw new Error(`web e2e: ${missing}`);

async function memberCount(page: Page): Promise<string> {
  return (await page.locator('.pane-head .mono').textContent())!;
}

describe.skipIf(missing !== undefined)('web client: a group of two browsers and one CLI user', () => {
  let station: StationProcess;
  let browser: Browser;
  let dir: string;
  let alice: WebUser;
  let bob: WebUser;
  let carol: CliUser;
  let listener: Listener;
  let group: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimkit-e2e-group-'));
    station = await startStation();
    browser = await launchBrowser();
    carol = await newCliUser(dir, 'Carol');
    listener = new Listener(['--station', station.wsUrl, '--me', carol.file, '--home', carol.home]);
    await listener.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    [alice, bob] = await Promise.all([
      createWebUser(browser, station.url, 'Alice'),
      createWebUser(browser, station.url, 'Bob'),
    ]);
    await addContact(alice.page, bob.id);
    await addContact(alice.page, carol.id);
  }, 120_000);

  afterAll(async () => {
    await listener?.stop();
    await browser?.close();
    await station?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a group in the browser; every member learns the member list', { timeout: 90_000 }, async () => {
    await alice.page.getByRole('button', { name: '+ New group' }).click();
    await alice.page.getByLabel('Group name').fill('Weekend trip');
    await alice.page.getByRole('checkbox', { name: /Bob/ }).check();
    await alice.page.getByRole('checkbox', { name: /Carol/ }).check();
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await alice.page.locator('.pane-head .strong', { hasText: 'Weekend trip' }).waitFor({ timeout: 30_000 });
    expect(await memberCount(alice.page)).toContain('3 members');
    group = (await alice.page.locator('.conv.active').getAttribute('data-conversation'))!;
    expect(group).toMatch(/@/);

    // Carol's dim listen applies the reset: three members, Alice first (the owner).
    const members = await listener.waitFor((e) => e['event'] === 'members' && e['group'] === group);
    expect((members['members'] as string[])[0]).toBe(alice.id);
    expect((members['members'] as string[]).slice().sort()).toEqual([alice.id, bob.id, carol.id].sort());

    // Bob sees the group in his list before any message.
    const item = bob.page.locator(`.conv[data-conversation="${group}"]`);
    await item.waitFor({ timeout: 30_000 });
    await item.locator('.conv-name', { hasText: 'Weekend trip' }).waitFor({ timeout: 30_000 });
  });

  it('a message from each member reaches the two others', { timeout: 90_000 }, async () => {
    await sendText(alice.page, 'Who brings the tent?');
    const atCarol = await listener.waitFor(
      (e) => e['event'] === 'message' && (e['content'] as { text?: string }).text === 'Who brings the tent?',
    );
    expect(atCarol).toMatchObject({ sender: alice.id, group });

    await bob.page.locator(`.conv[data-conversation="${group}"]`).click();
    await waitForIncoming(bob.page, 'Who brings the tent?');
    // In a group the first message of a run names its sender.
    await bob.page.locator('.msg.in .sender', { hasText: 'Alice' }).waitFor();

    await sendText(bob.page, 'I do!');
    await waitForIncoming(alice.page, 'I do!');
    await listener.waitFor((e) => e['event'] === 'message' && (e['content'] as { text?: string }).text === 'I do!');

    // One process per profile: the listener stops while dim group send uses Carol's profile (it holds the
    // member list), and starts again after.
    await listener.stop();
    const sent = await dim([
      'group',
      'send',
      group,
      '--text',
      'And I bring the food.',
      '--station',
      station.wsUrl,
      '--me',
      carol.file,
      '--home',
      carol.home,
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    listener = new Listener(['--station', station.wsUrl, '--me', carol.file, '--home', carol.home]);
    await listener.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    await waitForIncoming(alice.page, 'And I bring the food.');
    await waitForIncoming(bob.page, 'And I bring the food.');
    await alice.page.locator('.msg.in .sender', { hasText: 'Carol' }).waitFor();
    expectNoErrors(alice);
    expectNoErrors(bob);
  });

  it('a member leaves from the members dialog; the others update their lists', { timeout: 90_000 }, async () => {
    await bob.page.getByRole('button', { name: /About Weekend trip/ }).click();
    const dialog = bob.page.getByRole('dialog');
    await dialog.getByRole('list', { name: 'Members' }).waitFor();
    expect(await dialog.getByRole('listitem').count()).toBe(3);
    await expect(dialog.getByRole('listitem').first().textContent()).resolves.toContain('owner');
    await dialog.getByRole('button', { name: 'Leave group' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await memberCount(bob.page)).toContain('you are not a member');

    await alice.page.locator('.pane-head .mono', { hasText: '2 members' }).waitFor({ timeout: 30_000 });
    const update = await listener.waitFor(
      (e) => e['event'] === 'members' && e['command'] === 'quit' && e['sender'] === bob.id,
    );
    expect((update['members'] as string[]).slice().sort()).toEqual([alice.id, carol.id].sort());

    // The owner invites him back from the same dialog.
    await alice.page.getByRole('button', { name: /About Weekend trip/ }).click();
    const own = alice.page.getByRole('dialog');
    await own.getByRole('checkbox', { name: /Bob/ }).check();
    await own.getByRole('button', { name: 'Invite' }).click();
    await own.getByRole('listitem').nth(2).waitFor();
    await own.getByRole('button', { name: 'Close' }).click();
    await bob.page.locator('.pane-head .mono', { hasText: '3 members' }).waitFor({ timeout: 30_000 });
  });
});
