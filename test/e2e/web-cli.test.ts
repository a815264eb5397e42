// A browser user and a `dim` command-line user chat both ways through one station; then the CLI user's
// visa key changes and the browser shows the key-change notice.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityToJson, parseIdentity, updateVisa } from '@dimkit/protocol/account';
import { generatePrivateKey } from '@dimkit/protocol/crypto';
import type { JsonObject } from '@dimkit/protocol/encoding';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dim, Listener, newCliUser, type CliUser } from './_cli.js';
import {
  addContact,
  createWebUser,
  expectNoErrors,
  launchBrowser,
  missingPrerequisite,
  openConversation,
  sendText,
  startStation,
  waitForIncoming,
  waitForOutgoingState,
  type StationProcess,
  type WebUser,
} from './_harness.js';

const missing = missingPrerequisite();
if (missing !== undefined && process.env['CI']) throw new Error(`web e2e: ${missing}`);

describe.skipIf(missing !== undefined)('web client and the dim command line', () => {
  let station: StationProcess;
  let browser: Browser;
  let dir: string;
  let alice: WebUser;
  let carol: CliUser;
  let listener: Listener;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimkit-e2e-cli-'));
    station = await startStation();
    browser = await launchBrowser();
    carol = await newCliUser(dir, 'Carol');
    listener = new Listener(['--station', station.wsUrl, '--me', carol.file, '--home', carol.home]);
    await listener.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    alice = await createWebUser(browser, station.url, 'Alice');
  }, 120_000);

  afterAll(async () => {
    await listener?.stop();
    await browser?.close();
    await station?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'browser → CLI: dim listen prints the message and the browser shows it delivered',
    { timeout: 90_000 },
    async () => {
      await addContact(alice.page, carol.id);
      await alice.page.locator('.pane-head .strong', { hasText: 'Carol' }).waitFor({ timeout: 30_000 });
      await sendText(alice.page, 'Hello Carol, from a browser');
      const event = await listener.waitFor((e) => e['event'] === 'message');
      expect(event).toMatchObject({
        sender: alice.id,
        receiver: carol.id,
        content: { type: 1, text: 'Hello Carol, from a browser' },
      });
      // dim listen answers "Message received." as reference clients do.
      expect(await waitForOutgoingState(alice.page, 'Hello Carol, from a browser', ['delivered'])).toBe('delivered');
    },
  );

  it(
    'CLI → browser: dim send exits 0 on the receipt and the browser shows the message',
    { timeout: 90_000 },
    async () => {
      const sent = await dim([
        'send',
        '--station',
        station.wsUrl,
        '--me',
        carol.file,
        '--home',
        join(dir, 'carol-send-home'),
        '--to',
        alice.id,
        '--text',
        'Hi Alice, from a terminal',
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ to: alice.id });
      await waitForIncoming(alice.page, 'Hi Alice, from a terminal');
      const texts = await alice.page.locator('.msg .text').allTextContents();
      expect(texts).toEqual(['Hello Carol, from a browser', 'Hi Alice, from a terminal']);
      expectNoErrors(alice);
    },
  );

  it(
    'files both ways: a browser picture opened by dim files get, a dim send --file saved by the browser',
    { timeout: 90_000 },
    async () => {
      const painter = await browser.newPage({ viewport: { width: 200, height: 120 } });
      await painter.setContent('<body style="margin:0;background:linear-gradient(45deg,#0a0,#ff0)"></body>');
      const png = await painter.screenshot();
      await painter.close();
      await alice.page
        .locator('#composer-file')
        .setInputFiles({ name: 'garden.png', mimeType: 'image/png', buffer: png });
      const event = await listener.waitFor(
        (e) => e['event'] === 'message' && (e['content'] as { filename?: string }).filename === 'garden.png',
      );
      const content = event['content'] as Record<string, unknown>;
      expect(content['type']).toBe(0x12);
      expect(content['URL']).toMatch(new RegExp(`^${station.url}files/[0-9a-f]{64}\\.png$`));
      expect(content['thumbnail']).toMatch(/^data:image\/jpeg;base64,/);
      expect(content['length']).toBe(png.length);
      const out = join(dir, 'got');
      mkdirSync(out);
      const got = await dim([
        'files',
        'get',
        String(event['id']),
        '--out',
        out,
        '--progress',
        'none',
        '--me',
        carol.file,
        '--home',
        carol.home,
      ]);
      expect(got.code, got.stderr).toBe(0);
      expect(readFileSync(join(out, 'garden.png')).equals(png)).toBe(true);

      const report = join(dir, 'report.csv');
      const data = Buffer.from('quarter,total\n'.concat('q1,100\n'.repeat(500)));
      writeFileSync(report, data);
      const sent = await dim([
        'send',
        '--station',
        station.wsUrl,
        '--me',
        carol.file,
        '--home',
        join(dir, 'carol-send-home'),
        '--to',
        alice.id,
        '--file',
        report,
        '--progress',
        'none',
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      const card = alice.page.locator('.msg.in .file-card', { hasText: 'report.csv' });
      await card.waitFor({ timeout: 30_000 });
      const [download] = await Promise.all([
        alice.page.waitForEvent('download'),
        card.getByRole('button', { name: 'Download report.csv' }).click(),
      ]);
      expect(readFileSync(await download.path()).equals(data)).toBe(true);
    },
  );

  it('warns when a contact’s visa key changes', { timeout: 90_000 }, async () => {
    await expect(alice.page.locator('.banner.warn').count()).resolves.toBe(0);
    // Carol re-keys: same ID and identity key, a new RSA visa key in a newer visa.
    const old = parseIdentity(JSON.parse(readFileSync(carol.file, 'utf8')) as unknown);
    const visaKey = generatePrivateKey('RSA', { bits: 1024 });
    const rekeyed = { ...updateVisa(old, { key: visaKey.publicKey.dict as JsonObject }), visaPrivateKey: visaKey };
    const file = join(dir, 'carol-rekeyed.json');
    writeFileSync(file, JSON.stringify(identityToJson(rekeyed)));

    const sent = await dim([
      'send',
      '--station',
      station.wsUrl,
      '--me',
      file,
      '--home',
      join(dir, 'carol-rekeyed-home'),
      '--to',
      alice.id,
      '--text',
      'I have a new key',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    await waitForIncoming(alice.page, 'I have a new key');
    const banner = alice.page.locator('.banner.warn');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('Carol');
    expect(await banner.textContent()).toContain('encryption key changed');
    await expect(alice.page.locator(`.conv[data-conversation="${carol.id}"] .warn-dot`).count()).resolves.toBe(1);

    // The notice stays until the user dismisses it, also after re-opening the conversation.
    await openConversation(alice.page, carol.id);
    await alice.page.getByRole('button', { name: 'Dismiss' }).click();
    await banner.waitFor({ state: 'detached' });
    await expect(alice.page.locator('.warn-dot').count()).resolves.toBe(0);
  });
});
