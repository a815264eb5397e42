// Screenshots of the web client's main views for docs/ (run: npm run screenshots -w @dimkit/web).
// Skipped unless DIMKIT_SCREENSHOTS=1: it writes into the repository.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityToJson, parseIdentity, updateVisa } from '@dimkit/protocol/account';
import { generatePrivateKey } from '@dimkit/protocol/crypto';
import type { JsonObject } from '@dimkit/protocol/encoding';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dim, Listener, newCliUser, type CliUser } from './_cli.js';
import {
  addContact,
  createWebUser,
  launchBrowser,
  missingPrerequisite,
  openConversation,
  openPage,
  ROOT,
  sendText,
  startStation,
  waitForIncoming,
  waitForOutgoingState,
  type StationProcess,
  type WebUser,
} from './_harness.js';

const OUT = join(ROOT, 'docs/screenshots');
const enabled = process.env['DIMKIT_SCREENSHOTS'] === '1' && missingPrerequisite() === undefined;

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

/** A small picture for an avatar: a screenshot of a gradient. */
async function picture(browser: Browser, from: string, to: string, width = 128, height = 128): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.setContent(
    `<body style="margin:0"><div style="width:${width}px;height:${height}px;background:radial-gradient(circle at 30% 30%, ${from}, ${to})"></div></body>`,
  );
  const png = await page.screenshot();
  await page.close();
  return png;
}

async function setAvatar(user: WebUser, png: Buffer): Promise<void> {
  await user.page.getByRole('button', { name: 'Edit your profile' }).click();
  await user.page.getByLabel('Avatar picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
  await user.page.getByRole('button', { name: 'Save and publish' }).click();
  await user.page.getByRole('dialog').waitFor({ state: 'detached' });
}

describe.skipIf(!enabled)('web client screenshots', () => {
  let station: StationProcess;
  let browser: Browser;
  let dir: string;
  let alice: WebUser;
  let bob: WebUser;
  let carol: CliUser;
  let listener: Listener;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'dimkit-shots-'));
    station = await startStation();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await listener?.stop();
    await browser?.close();
    await station?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('takes the screenshots', { timeout: 300_000 }, async () => {
    // Welcome and key generation.
    const first = await openPage(browser, station.url);
    await first.page.getByLabel('Display name').waitFor();
    await first.page.getByLabel('Display name').fill('Alice');
    await shot(first.page, 'web-welcome');
    await first.context.close();

    alice = await createWebUser(browser, station.url, 'Alice');
    bob = await createWebUser(browser, station.url, 'Bob');
    await setAvatar(bob, await picture(browser, '#ffd27a', '#d9480f'));
    await setAvatar(alice, await picture(browser, '#9be7ff', '#2f6fde'));

    carol = await newCliUser(dir, 'Carol');
    listener = new Listener(['--station', station.wsUrl, '--me', carol.file, '--home', carol.home]);
    await listener.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    const dave = await newCliUser(dir, 'Dave');
    const daveListener = new Listener(['--station', station.wsUrl, '--me', dave.file, '--home', dave.home]);
    await daveListener.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    await daveListener.stop();

    // Add-contact dialog, then a conversation.
    await alice.page.getByRole('button', { name: '+ Add contact' }).click();
    await alice.page.getByLabel('Their DIM ID').fill(bob.id);
    await shot(alice.page, 'web-add-contact');
    await alice.page.getByRole('button', { name: 'Add contact', exact: true }).click();
    await alice.page.getByRole('dialog').waitFor({ state: 'detached' });

    await sendText(alice.page, 'Hi Bob! I finally set up dimkit in the browser.');
    await waitForOutgoingState(alice.page, 'Hi Bob! I finally set up dimkit in the browser.', ['delivered']);
    await openConversation(bob.page, alice.id);
    await sendText(bob.page, 'Welcome! Are your keys really only in this tab?');
    await waitForIncoming(alice.page, 'Welcome! Are your keys really only in this tab?');
    await sendText(
      alice.page,
      'Yes: made here, sealed in IndexedDB under my passphrase. The station only sees ciphertext.\nAnd I can export the identity file for the dim command line.',
    );
    await waitForIncoming(bob.page, 'The station only sees ciphertext');
    await sendText(bob.page, 'Nice. Two ticks means your browser got it, blue means you read it.');
    await waitForIncoming(alice.page, 'Two ticks');
    await sendText(alice.page, 'Got it ✓✓');
    await waitForOutgoingState(alice.page, 'Got it', ['read']);

    // A picture from Bob, and a file from Alice (the upload slowed down to show its progress).
    const sunset = await picture(browser, '#ffe08a', '#c2255c', 480, 300);
    await bob.page
      .locator('#composer-file')
      .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: sunset });
    await alice.page.locator('.msg.in img.picture:not(.blurred)').waitFor({ timeout: 30_000 });
    const cdp = await alice.context.newCDPSession(alice.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 150 * 1024,
    });
    const report = Buffer.alloc(900 * 1024, 'dimkit report line\n');
    await alice.page
      .locator('#composer-file')
      .setInputFiles({ name: 'trip-report.pdf', mimeType: 'application/pdf', buffer: report });
    await alice.page.waitForFunction(() => {
      const bar = document.querySelector('.uploads progress') as HTMLProgressElement | null;
      return bar !== null && bar.value >= 30;
    });
    await shot(alice.page, 'web-upload');
    await alice.page.locator('.uploads').waitFor({ state: 'detached', timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    // Carol (dim CLI) and Dave write too: unread badges in the list.
    await addContact(alice.page, carol.id);
    await sendText(alice.page, 'Carol, are you on the command line?');
    await listener.waitFor((e) => e['event'] === 'message');
    await openConversation(alice.page, bob.id);
    for (const text of ['Yes, dim listen is running here.', 'Typing from a terminal :)']) {
      const sent = await dim([
        'send',
        '--station',
        station.wsUrl,
        '--me',
        carol.file,
        '--home',
        join(dir, 'c2'),
        '--to',
        alice.id,
        '--text',
        text,
      ]);
      if (sent.code !== 0) throw new Error(sent.stderr);
    }
    const daveSent = await dim([
      'send',
      '--station',
      station.wsUrl,
      '--me',
      dave.file,
      '--home',
      join(dir, 'd2'),
      '--to',
      alice.id,
      '--text',
      'Hello Alice, Dave here. Got your ID from Bob.',
    ]);
    if (daveSent.code !== 0) throw new Error(daveSent.stderr);
    await alice.page.locator(`.conv[data-conversation="${dave.id}"]`).waitFor();
    await alice.page.locator(`.conv[data-conversation="${carol.id}"] .badge`).waitFor();
    await shot(alice.page, 'web-chat');

    // A group of Alice, Bob and Carol (dim CLI).
    await alice.page.getByRole('button', { name: '+ New group' }).click();
    await alice.page.getByLabel('Group name').fill('Weekend trip');
    await alice.page.getByRole('checkbox', { name: /Bob/ }).check();
    await alice.page.getByRole('checkbox', { name: /Carol/ }).check();
    await shot(alice.page, 'web-new-group');
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await alice.page.locator('.pane-head .strong', { hasText: 'Weekend trip' }).waitFor();
    const group = (await alice.page.locator('.conv.active').getAttribute('data-conversation'))!;
    await listener.waitFor((e) => e['event'] === 'members' && e['group'] === group);
    await sendText(alice.page, 'Who brings the tent?');
    await bob.page.locator(`.conv[data-conversation="${group}"]`).click();
    await waitForIncoming(bob.page, 'Who brings the tent?');
    await sendText(bob.page, 'I do! And the stove.');
    await waitForIncoming(alice.page, 'I do! And the stove.');
    await listener.waitFor(
      (e) => e['event'] === 'message' && (e['content'] as { text?: string }).text === 'I do! And the stove.',
    );
    await listener.stop();
    const food = await dim([
      'group',
      'send',
      group,
      '--text',
      'Then I bring the food (sent from dim group send).',
      '--station',
      station.wsUrl,
      '--me',
      carol.file,
      '--home',
      carol.home,
    ]);
    if (food.code !== 0) throw new Error(food.stderr);
    listener = new Listener(['--station', station.wsUrl, '--me', carol.file, '--home', carol.home]);
    await listener.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    await waitForIncoming(alice.page, 'Then I bring the food');
    await sendText(alice.page, 'Perfect, see you Saturday!');
    await shot(alice.page, 'web-group');
    await alice.page.getByRole('button', { name: /About Weekend trip/ }).click();
    await alice.page.getByRole('dialog').getByRole('listitem').nth(2).waitFor();
    await shot(alice.page, 'web-members');
    await alice.page.getByRole('button', { name: 'Close' }).click();
    await openConversation(alice.page, bob.id);

    // Profile dialog.
    await alice.page.getByRole('button', { name: 'Edit your profile' }).click();
    await shot(alice.page, 'web-profile');
    await alice.page.getByRole('button', { name: 'Close' }).click();

    // Key change: Carol re-keys and writes again.
    const old = parseIdentity(JSON.parse(readFileSync(carol.file, 'utf8')) as unknown);
    const visaKey = generatePrivateKey('RSA', { bits: 1024 });
    const rekeyed = { ...updateVisa(old, { key: visaKey.publicKey.dict as JsonObject }), visaPrivateKey: visaKey };
    const rekeyedFile = join(dir, 'carol2.json');
    writeFileSync(rekeyedFile, JSON.stringify(identityToJson(rekeyed)));
    const sent = await dim([
      'send',
      '--station',
      station.wsUrl,
      '--me',
      rekeyedFile,
      '--home',
      join(dir, 'c3'),
      '--to',
      alice.id,
      '--text',
      'New laptop, new keys!',
    ]);
    if (sent.code !== 0) throw new Error(sent.stderr);
    await openConversation(alice.page, carol.id);
    await waitForIncoming(alice.page, 'New laptop, new keys!');
    await alice.page.locator('.banner.warn').waitFor();
    await shot(alice.page, 'web-key-change');

    // Contact info with fingerprints.
    await alice.page.getByRole('button', { name: 'Show fingerprint' }).click();
    await shot(alice.page, 'web-contact-info');
    await alice.page.getByRole('button', { name: 'Close' }).click();

    // Reconnecting.
    await openConversation(alice.page, bob.id);
    await station.kill();
    await alice.page.locator('.conn[data-state="waiting"]').waitFor();
    await sendText(alice.page, 'This one waits until the station is back.');
    await shot(alice.page, 'web-reconnecting');
    await station.restart();
    await alice.page.locator('.conn[data-state="running"]').waitFor({ timeout: 60_000 });

    // Unlock after a reload.
    await alice.page.reload();
    await alice.page.getByLabel('Passphrase', { exact: true }).waitFor();
    await shot(alice.page, 'web-unlock');
    await alice.page.getByLabel('Passphrase', { exact: true }).fill(alice.passphrase);
    await alice.page.getByRole('button', { name: 'Unlock' }).click();
    await alice.page.locator('.conn[data-state="running"]').waitFor({ timeout: 60_000 });

    // A phone-sized window, and the dark scheme.
    const phone = await browser.newContext({ viewport: { width: 390, height: 760 }, colorScheme: 'dark' });
    const page = await phone.newPage();
    await page.goto(station.url);
    await page.getByLabel('Display name').fill('Erin');
    await page.getByLabel('Passphrase', { exact: true }).fill('erin passphrase');
    await page.getByLabel('Repeat passphrase').fill('erin passphrase');
    await page.getByRole('button', { name: 'Create identity' }).click();
    await page.locator('.conn[data-state="running"]').waitFor({ timeout: 60_000 });
    const erinId = (await page.locator('.me .mono').first().textContent())!.trim();
    await sendTextTo(alice.page, erinId, 'Hi Erin, welcome to the dark side.');
    await page.locator(`.conv[data-conversation="${alice.id}"]`).click();
    await waitForIncoming(page, 'Hi Erin');
    await sendText(page, 'Looks good on a phone, too.');
    await shot(page, 'web-mobile-dark');
    await phone.close();
  });
});

async function sendTextTo(page: Page, id: string, text: string): Promise<void> {
  await addContact(page, id);
  await sendText(page, text);
}
