// The browser client against a real station: identities made in two browser contexts, contacts added
// by ID, a conversation both ways with delivered and read marks, offline delivery, and a reload that
// keeps identity and history.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addContact,
  createWebUser,
  expectNoErrors,
  launchBrowser,
  missingPrerequisite,
  openConversation,
  outgoingState,
  sendText,
  startStation,
  unlock,
  waitForIncoming,
  waitForOutgoingState,
  waitOnline,
  type StationProcess,
  type WebUser,
} from './_harness.js';

const missing = missingPrerequisite();
if (missing !== undefined && process.env['CI']) throw new Error(`web e2e: ${missing}`);

describe.skipIf(missing !== undefined)('web client: two browsers through a station', () => {
  let station: StationProcess;
  let browser: Browser;
  let alice: WebUser;
  let bob: WebUser;

  beforeAll(async () => {
    station = await startStation();
    browser = await launchBrowser();
    [alice, bob] = await Promise.all([
      createWebUser(browser, station.url, 'Alice'),
      createWebUser(browser, station.url, 'Bob'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  it('creates identities in the browser: ETH IDs, named visas, online', async () => {
    expect(alice.id).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(bob.id).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(alice.id).not.toBe(bob.id);
    await expect(alice.page.locator('.me .strong').textContent()).resolves.toBe('Alice');
  });

  it('adds a contact by ID and chats both ways, with delivered then read marks', { timeout: 90_000 }, async () => {
    await addContact(alice.page, bob.id);
    // The contact's visa comes from the station: the conversation shows Bob's name.
    await alice.page.locator('.pane-head .strong', { hasText: 'Bob' }).waitFor({ timeout: 30_000 });

    // Bob has not opened the conversation: his client acknowledges receipt, but has not read it.
    await sendText(alice.page, 'Hello Bob, this is Alice.');
    expect(await waitForOutgoingState(alice.page, 'Hello Bob, this is Alice.', ['delivered'])).toBe('delivered');
    await expect(
      alice.page.locator('.msg.out[data-state="delivered"] .mark').last().getAttribute('aria-label'),
    ).resolves.toBe('Delivered');

    // Bob sees a new conversation with one unread message and its preview.
    const item = bob.page.locator(`.conv[data-conversation="${alice.id}"]`);
    await item.waitFor({ timeout: 30_000 });
    await expect(item.locator('.badge').textContent()).resolves.toBe('1');
    await expect(item.locator('.conv-last').textContent()).resolves.toBe('Hello Bob, this is Alice.');
    await expect(item.locator('.conv-name').textContent()).resolves.toContain('Alice');

    // Opening it reads it: the badge goes, and Alice's mark turns to read.
    await openConversation(bob.page, alice.id);
    await waitForIncoming(bob.page, 'Hello Bob, this is Alice.');
    await item.locator('.badge').waitFor({ state: 'detached' });
    expect(await waitForOutgoingState(alice.page, 'Hello Bob, this is Alice.', ['read'])).toBe('read');

    await sendText(bob.page, 'Hi Alice! Got it.');
    await waitForIncoming(alice.page, 'Hi Alice! Got it.');
    expect(await waitForOutgoingState(bob.page, 'Hi Alice! Got it.', ['delivered', 'read'])).toMatch(/delivered|read/);

    // One day separator above the messages.
    await expect(bob.page.locator('.day').allTextContents()).resolves.toEqual(['Today']);
    expectNoErrors(alice);
    expectNoErrors(bob);
  });

  it('labels every control and works from the keyboard', { timeout: 60_000 }, async () => {
    const unlabelled = await alice.page.locator('button, input, select, textarea, [tabindex]').evaluateAll((els) =>
      els
        .filter((el) => {
          const e = el as HTMLInputElement;
          const name =
            e.getAttribute('aria-label') ??
            e.getAttribute('aria-labelledby') ??
            (e.labels !== undefined && e.labels !== null && e.labels.length > 0 ? 'label' : null) ??
            e.getAttribute('title');
          return (name === null || name === '') && (e.textContent ?? '').trim() === '';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);

    // Keyboard only: Enter in the message box sends; a dialog opens with Enter and closes with Escape.
    const box = alice.page.getByRole('textbox', { name: 'Message' });
    await box.focus();
    await alice.page.keyboard.type('Typed without a mouse');
    await alice.page.keyboard.press('Enter');
    await alice.page.locator('.msg.out .text', { hasText: 'Typed without a mouse' }).waitFor();
    await waitForIncoming(bob.page, 'Typed without a mouse');
    await alice.page.getByRole('button', { name: 'Edit your profile' }).focus();
    await alice.page.keyboard.press('Enter');
    await alice.page.getByRole('dialog').waitFor();
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('dialog').waitFor({ state: 'detached' });
    // Focus went back to the button that opened the dialog.
    // (The dialog leaves the DOM before its cleanup restores focus, so wait for it rather than race it.)
    await expect
      .poll(() => alice.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), { timeout: 5_000 })
      .toBe('Edit your profile');
  });

  it('keeps messages for an offline receiver and delivers them at the next login', { timeout: 90_000 }, async () => {
    await bob.page.close();
    await sendText(alice.page, 'Sent while you were away');
    // The station keeps it: "cached" (or "sent" until its receipt).
    expect(await waitForOutgoingState(alice.page, 'Sent while you were away', ['cached', 'sent'])).toMatch(
      /cached|sent/,
    );

    const page = await bob.context.newPage();
    await page.goto(station.url);
    await unlock(page, bob.passphrase);
    const item = page.locator(`.conv[data-conversation="${alice.id}"]`);
    await item.locator('.badge').waitFor({ timeout: 30_000 });
    expect(await waitForOutgoingState(alice.page, 'Sent while you were away', ['delivered', 'read'])).toMatch(
      /delivered|read/,
    );
    await openConversation(page, alice.id);
    await waitForIncoming(page, 'Sent while you were away');
    bob = { ...bob, page };
  });

  it(
    'sends a picture (inline, with thumbnail) and a file (saved with progress), encrypted end to end',
    { timeout: 90_000 },
    async () => {
      // A real PNG: a screenshot of a gradient.
      const painter = await browser.newPage({ viewport: { width: 320, height: 200 } });
      await painter.setContent('<body style="margin:0;background:linear-gradient(90deg,#f80,#08f)"></body>');
      const png = await painter.screenshot();
      await painter.close();
      const notes = Buffer.from('Meeting notes\n'.repeat(2000));

      await alice.page.locator('#composer-file').setInputFiles([
        { name: 'sunset.png', mimeType: 'image/png', buffer: png },
        { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
      ]);
      // Both leave: the picture shows the bytes we have, the file a card.
      await alice.page.locator('.msg.out img.picture:not(.blurred)').waitFor({ timeout: 30_000 });
      await alice.page.locator('.msg.out .file-card', { hasText: 'notes.txt' }).waitFor({ timeout: 30_000 });
      await alice.page.locator('.uploads').waitFor({ state: 'detached' });

      // Bob: the picture is downloaded, checked against its content address, decrypted and shown.
      const picture = bob.page.locator('.msg.in img.picture:not(.blurred)');
      await picture.waitFor({ timeout: 30_000 });
      const shown = await picture.evaluate(async (img: HTMLImageElement) => {
        await img.decode();
        return { width: img.naturalWidth, height: img.naturalHeight, src: img.src.slice(0, 5) };
      });
      expect(shown).toEqual({ width: 320, height: 200, src: 'blob:' });

      // The file: a card with its name and size; Save downloads the decrypted bytes.
      const card = bob.page.locator('.msg.in .file-card', { hasText: 'notes.txt' });
      await card.waitFor({ timeout: 30_000 });
      expect(await card.textContent()).toContain('27.3 KB');
      const [download] = await Promise.all([
        bob.page.waitForEvent('download'),
        card.getByRole('button', { name: 'Download notes.txt' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('notes.txt');
      const saved = await download.path();
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(saved).equals(notes)).toBe(true);

      // The station keeps only ciphertext: no stored file contains the plaintext.
      const { readdirSync } = await import('node:fs');
      const { join } = await import('node:path');
      const stored = readdirSync(join(station.dataDir, 'files')).filter((n) => !n.startsWith('.'));
      expect(stored).toHaveLength(2);
      for (const name of stored) {
        const bytes = readFileSync(join(station.dataDir, 'files', name));
        expect(bytes.includes(Buffer.from('Meeting notes'))).toBe(false);
        expect(bytes.subarray(1, 4).toString('latin1')).not.toBe('PNG');
      }
      // The list previews the newest of the two (they leave in parallel).
      expect(await bob.page.locator(`.conv[data-conversation="${alice.id}"] .conv-last`).textContent()).toMatch(
        /^(Photo|File: notes\.txt)$/,
      );
    },
  );

  it('keeps the identity and the history across a reload, behind the passphrase', { timeout: 90_000 }, async () => {
    const before = alice.id;
    await alice.page.reload();
    // The identity is offered for unlocking; a wrong passphrase is refused.
    await expect(alice.page.getByLabel('Identity').inputValue()).resolves.toBe(before);
    await alice.page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
    await alice.page.getByRole('button', { name: 'Unlock' }).click();
    await expect(alice.page.getByRole('alert').textContent()).resolves.toBe('Wrong passphrase.');

    await unlock(alice.page, alice.passphrase);
    await expect(alice.page.locator('.me .mono').first().textContent()).resolves.toBe(before);
    await openConversation(alice.page, bob.id);
    await waitForIncoming(alice.page, 'Hi Alice! Got it.');
    const texts = await alice.page.locator('.msg .text').allTextContents();
    expect(texts).toEqual([
      'Hello Bob, this is Alice.',
      'Hi Alice! Got it.',
      'Typed without a mouse',
      'Sent while you were away',
    ]);
    // States survive too: the first message was read.
    expect(await waitForOutgoingState(alice.page, 'Hello Bob, this is Alice.', ['read'])).toBe('read');

    // And the conversation goes on after the reload.
    await sendText(alice.page, 'Back after a reload');
    await waitForIncoming(bob.page, 'Back after a reload');
  });

  it(
    'shows the connection state, reconnects by itself, then sends what was written offline',
    { timeout: 90_000 },
    async () => {
      await station.kill();
      const badge = alice.page.locator('.conn');
      await alice.page.locator('.conn[data-state="waiting"]').waitFor({ timeout: 30_000 });
      expect(await badge.textContent()).toMatch(/^Reconnecting in \d+ s$/);

      await sendText(alice.page, 'Written while the station was down');
      expect(await outgoingState(alice.page, 'Written while the station was down')).toBe('pending');
      await expect(
        alice.page.locator('.msg.out[data-state="pending"] .mark').last().getAttribute('aria-label'),
      ).resolves.toBe('Sending');

      await station.restart();
      await waitOnline(alice.page);
      await waitOnline(bob.page);
      expect(await badge.textContent()).toBe('Online');
      await waitForIncoming(bob.page, 'Written while the station was down');
      expect(
        await waitForOutgoingState(alice.page, 'Written while the station was down', ['delivered', 'read']),
      ).toMatch(/delivered|read/);
    },
  );
});
